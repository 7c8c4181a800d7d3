import type { ServerResponse } from 'node:http';

/** An error that is the response: status plus a `detail` message clients show as-is. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly code?: string,
  ) {
    super(detail);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, error: HttpError): void {
  const headers: Record<string, string> =
    error.status === 401
      ? { 'www-authenticate': `Bearer error="invalid_token", error_description="${error.detail.replace(/"/g, "'")}"` }
      : {};
  sendJson(res, error.status, error.code ? { detail: error.detail, code: error.code } : { detail: error.detail }, headers);
}
