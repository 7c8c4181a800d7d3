import type { SecretStore } from '../windows/storage';

const KEY = 'cmdop.commandHistory';
const LIMIT = 25;

/**
 * Recently run commands, newest first. Commands can hold passwords or tokens typed inline,
 * so the history lives in SecretStorage, never in settings or globalState.
 */
export class CommandHistory {
  constructor(private readonly secrets: SecretStore) {}

  async list(): Promise<string[]> {
    try {
      const parsed = JSON.parse((await this.secrets.get(KEY)) ?? '[]');
      return Array.isArray(parsed) ? parsed.filter((c): c is string => typeof c === 'string') : [];
    } catch {
      return [];
    }
  }

  async add(command: string): Promise<void> {
    const rest = (await this.list()).filter((c) => c !== command);
    await this.secrets.store(KEY, JSON.stringify([command, ...rest].slice(0, LIMIT)));
  }
}

/**
 * The command to run when the command picker is accepted. A recent command counts as picked only if the typed
 * text could have shown it (its characters appear in it, in order, as the picker's filter matches): the item
 * list the workbench filters lags a fast typist, and Enter can land on a recent entry the typed text no longer
 * matches. Then the typed text is what the user meant.
 */
export function acceptedCommand(typed: string, picked: { command: string; recent: boolean } | undefined): string | undefined {
  const text = typed.trim();
  if (picked?.recent && couldMatch(text, picked.command)) return picked.command;
  return text || picked?.command;
}

function couldMatch(filter: string, command: string): boolean {
  const haystack = command.toLowerCase();
  let at = 0;
  for (const ch of filter.toLowerCase()) {
    if (ch === ' ') continue;
    at = haystack.indexOf(ch, at);
    if (at === -1) return false;
    at++;
  }
  return true;
}
