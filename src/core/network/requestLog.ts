import { redactForm, redactHeaders, redactText, redactUrl } from './redact';

/** Where request lines go: VS Code's LogOutputChannel fits, and so does a test's array. */
export interface RequestLogger {
  debug(message: string): void;
  trace(message: string): void;
}

export const elapsedMs = (started: number) => `${(performance.now() - started).toFixed(0)} ms`;

type FetchInit = { method?: string; headers?: unknown; body?: unknown } | undefined;

function headerPairs(headers: unknown): [string, string][] {
  if (!headers) return [];
  if (typeof (headers as Headers).forEach === 'function' && !Array.isArray(headers)) {
    const pairs: [string, string][] = [];
    (headers as Headers).forEach((value, name) => pairs.push([name, value]));
    return pairs;
  }
  if (Array.isArray(headers)) return headers as [string, string][];
  return Object.entries(headers as Record<string, string>);
}

function bodyText(body: unknown): string {
  if (body === undefined || body === null) return '';
  if (body instanceof URLSearchParams) return ` body ${redactForm(body.toString())}`;
  if (typeof body === 'string') return ` body ${body.trimStart().startsWith('{') ? redactText(body) : redactForm(body)}`;
  return ' body (binary)';
}

/**
 * Wraps fetch so every REST and identity-provider call is logged: one debug line with method, path, status
 * and duration; at trace, also the request's headers and body with every credential redacted.
 */
export function loggingFetch(log: RequestLogger, inner: typeof fetch = fetch): typeof fetch {
  return async (input: string | URL | Request, init?: RequestInit) => {
    const request = input instanceof Request ? input : undefined;
    const method = (init?.method ?? request?.method ?? 'GET').toUpperCase();
    const where = redactUrl(request ? request.url : String(input));
    const started = performance.now();
    log.trace(
      `HTTP ${method} ${where} headers ${JSON.stringify(redactHeaders(headerPairs((init as FetchInit)?.headers ?? request?.headers)))}${bodyText(init?.body)}`,
    );
    try {
      const response = await inner(input, init);
      log.debug(`HTTP ${method} ${where} → ${response.status} ${response.statusText} (${elapsedMs(started)})`.replace(/ {2}/g, ' '));
      return response;
    } catch (err) {
      log.debug(`HTTP ${method} ${where} → failed: ${redactText((err as Error).message)} (${elapsedMs(started)})`);
      throw err;
    }
  };
}
