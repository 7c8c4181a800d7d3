/**
 * Redaction for the request log: credentials never reach the log, whatever the level. What stays is what a
 * person debugging needs: method, path, status, timing, and the names (never the values) of secret fields.
 */
export const REDACTED = '[redacted]';

/** Header names whose values are credentials. */
const SECRET_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'x-admin-token',
  'x-auth-token',
]);

/** Query, form and JSON field names whose values are credentials or one-time codes. */
const SECRET_FIELD =
  /^(access_token|refresh_token|id_token|token|device_code|user_code|code|code_verifier|client_secret|password|passwd|secret|api_key|apikey|key|assertion|client_assertion|subject_token|actor_token|logout_hint)$/i;

export function isSecretField(name: string): boolean {
  return SECRET_FIELD.test(name);
}

export function isSecretHeader(name: string): boolean {
  return SECRET_HEADERS.has(name.toLowerCase());
}

/**
 * Secret field names as a pattern that also matches their camelCase and kebab-case spellings
 * (`access_token`, `accessToken`, `access-token`), so a JSON body from any client is caught.
 */
const FIELD_NAMES = [
  'access_token',
  'refresh_token',
  'id_token',
  'token',
  'device_code',
  'user_code',
  'code',
  'code_verifier',
  'client_secret',
  'password',
  'passwd',
  'secret',
  'api_key',
  'apikey',
  'key',
  'assertion',
  'client_assertion',
  'subject_token',
  'actor_token',
]
  .map((name) => name.replace(/_/g, '[_-]?'))
  .join('|');

/** Header names that may appear as `name: value` in free text (an error that quotes a request). */
const HEADER_NAMES = [...SECRET_HEADERS].map((name) => name.replace(/-/g, '[_-]?')).join('|');

/**
 * Removes anything that looks like a credential from free text (error messages, URLs, metadata values):
 * bearer tokens, CMDOP API keys, JWTs, `name=value` / `"name": "value"` / `'name': 'value'` pairs with a
 * secret name, and `header: value` lines of credential headers.
 */
export function redactText(text: string): string {
  return text
    .replace(/\b(Bearer|Basic)\s+[^\s,;"']+/gi, `$1 ${REDACTED}`)
    .replace(/\bcmdop_[A-Za-z0-9_\-.]+/g, `cmdop_${REDACTED}`)
    .replace(/\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*)?/g, REDACTED)
    .replace(
      new RegExp(`(^|[^A-Za-z0-9_-])(${HEADER_NAMES})(\\s*:\\s*)(?!\\s|(?:Bearer |Basic )?\\[redacted\\])[^\\r\\n,;}]*`, 'gi'),
      `$1$2$3${REDACTED}`,
    )
    .replace(
      new RegExp(`(^|[^A-Za-z0-9_])(${FIELD_NAMES})=([^&\\s;,"'}]*)`, 'gi'),
      (_m, lead: string, name: string) => `${lead}${name}=${REDACTED}`,
    )
    .replace(new RegExp(`(["'](?:${FIELD_NAMES})["']\\s*:\\s*)(["'])(?:(?!\\2)[^\\\\]|\\\\.)*\\2`, 'gi'), `$1$2${REDACTED}$2`);
}

/** A URL for the log: secret query parameters are replaced, user info dropped. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return redactText(url);
  }
  parsed.username = '';
  parsed.password = '';
  for (const name of [...parsed.searchParams.keys()]) if (isSecretField(name)) parsed.searchParams.set(name, REDACTED);
  const pathAndQuery = parsed.pathname + parsed.search;
  let readable = pathAndQuery;
  try {
    readable = decodeURIComponent(pathAndQuery);
  } catch {
    // keep it encoded
  }
  return parsed.origin + redactText(readable);
}

/** Headers for the log: credential headers keep their name only. */
export function redactHeaders(headers: Iterable<[string, string]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of headers) out[name.toLowerCase()] = isSecretHeader(name) ? REDACTED : redactText(value);
  return out;
}

/** A form or query body for the log: every field name, secret values replaced. */
export function redactForm(body: string): string {
  const params = new URLSearchParams(body);
  const parts: string[] = [];
  for (const [name, value] of params) parts.push(`${name}=${isSecretField(name) ? REDACTED : redactText(value)}`);
  return parts.join('&');
}
