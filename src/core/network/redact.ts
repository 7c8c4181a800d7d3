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
 * Names too common in ordinary text ("status code: 500", "missing key: fleet") to redact after a bare colon;
 * after `=` or as a quoted field name they are still secrets.
 */
const COLON_FIELD_NAMES = FIELD_NAMES.split('|')
  .filter((name) => !['code', 'key', 'token'].includes(name))
  .join('|');

/** Before a secret name: the start, or a character (also URL-encoded: `%3Faccess_token%3D…`) that cannot be part of a longer name. */
const LEAD = '(^|[^A-Za-z0-9_-]|%[0-9A-Fa-f]{2})';
/** A quote before or after a name, possibly escaped (JSON inside a JSON string: `{\"access_token\":\"…\"}`). */
const QUOTE = String.raw`(?:\\{0,2}["'])`;
/** What a token, key or code is made of, up to where its quoting, pair or line ends. */
const BARE_VALUE = String.raw`(?!${QUOTE}?\[redacted\])(?:(?!%26|%22)[^\s"'\\,;&}\]])+`;

const QUOTED_PAIR = new RegExp(
  String.raw`${LEAD}(${QUOTE}?(?:${FIELD_NAMES}|${HEADER_NAMES})${QUOTE}?\s*[:=]\s*)(["'])(?:(?!\3)[^\\]|\\.)*\3`,
  'gi',
);
const QUOTED_NAME_PAIR = new RegExp(
  String.raw`${LEAD}(${QUOTE}(?:${FIELD_NAMES}|${HEADER_NAMES})${QUOTE}\s*:\s*${QUOTE}?)${BARE_VALUE}`,
  'gi',
);
const EQUALS_PAIR = new RegExp(String.raw`${LEAD}((?:${FIELD_NAMES}|${HEADER_NAMES})(?:=|%3D)${QUOTE}?)${BARE_VALUE}`, 'gi');
const COLON_PAIR = new RegExp(String.raw`${LEAD}((?:${COLON_FIELD_NAMES})${QUOTE}?\s*:\s*${QUOTE}?)${BARE_VALUE}`, 'gi');
const HEADER_LINE = new RegExp(String.raw`${LEAD}(${HEADER_NAMES})(\s*:\s*)(?!\s|(?:Bearer |Basic )?\[redacted\])[^\r\n,;}]*`, 'gi');

/**
 * Removes anything that looks like a credential from free text (error messages, URLs, metadata values, log
 * lines): bearer tokens, CMDOP API keys, JWTs, and the value after a secret name in every spelling a client or
 * an error may print it — `name=value` (also URL-encoded), `"name": "value"`, `'name': 'value'`,
 * `name: 'value'` (Node's inspect), `name":"value"` (a cut JSON body), escaped JSON, and `header: value` lines
 * of credential headers.
 */
export function redactText(text: string): string {
  // Keys and JWTs last: a pair rule then sees `key=cmdop_…` whole and redacts it as one value.
  return text
    .replace(/\b(Bearer|Basic)\s+[^\s,;"'\\]+/gi, `$1 ${REDACTED}`)
    .replace(HEADER_LINE, `$1$2$3${REDACTED}`)
    .replace(QUOTED_PAIR, `$1$2$3${REDACTED}$3`)
    .replace(QUOTED_NAME_PAIR, `$1$2${REDACTED}`)
    .replace(EQUALS_PAIR, `$1$2${REDACTED}`)
    .replace(COLON_PAIR, `$1$2${REDACTED}`)
    .replace(/\bcmdop_[A-Za-z0-9_\-.]+/g, `cmdop_${REDACTED}`)
    .replace(/\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*)?/g, REDACTED);
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
