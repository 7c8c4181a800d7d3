import { redactText } from './redact';

/** The writing side of VS Code's LogOutputChannel (and of any OutputChannel handed to a library). */
const LEVEL_METHODS = new Set<PropertyKey>(['trace', 'debug', 'info', 'warn', 'error']);
const TEXT_METHODS = new Set<PropertyKey>(['append', 'appendLine', 'replace']);

/** One value of a log call as text: an Error with its stack (as VS Code prints it), objects as JSON. */
function logText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Error) return value.stack ?? `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** A log call's message and arguments as the one line that is written, every credential redacted. */
export function redactedLogLine(message: unknown, args: readonly unknown[] = []): string {
  return redactText([message, ...args].map(logText).join(' '));
}

/**
 * The log every part of the extension writes to, redacting on the way in: whatever a call site passes
 * (an error text quoting a request, a server's message, an Error object, extra arguments) reaches the channel
 * only through `redactText`, so no call site can forget it. Everything else (show, dispose, logLevel,
 * onDidChangeLogLevel) is the channel's own.
 */
export function redactingLog<T extends object>(channel: T): T {
  return new Proxy(channel, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      if (LEVEL_METHODS.has(property)) {
        return (message: unknown, ...args: unknown[]) => value.call(target, redactedLogLine(message, args));
      }
      if (TEXT_METHODS.has(property)) return (text: unknown) => value.call(target, redactText(logText(text)));
      return value.bind(target);
    },
  });
}
