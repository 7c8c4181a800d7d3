import type { SecretStore } from './storage';

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
