import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { CmdopError } from './errors';

export type TlsProblem = 'unknown CA' | 'name mismatch' | 'expired';

const UNKNOWN_CA_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  // A CA of the same name but another key: the configured CA is not the one that signed.
  'CERT_SIGNATURE_FAILURE',
]);

/** Which TLS verification failure an error (from fetch, node:https or gRPC) is, if it is one. */
export function tlsProblemOf(err: unknown): TlsProblem | undefined {
  for (let e = err as { code?: unknown; message?: unknown; details?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    const code = typeof e.code === 'string' ? e.code : '';
    const text = `${typeof e.message === 'string' ? e.message : ''} ${typeof e.details === 'string' ? e.details : ''}`;
    if (code === 'CERT_HAS_EXPIRED' || /certificate has expired/i.test(text)) return 'expired';
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || /does not match certificate's altnames|Hostname\/IP does not match/i.test(text)) return 'name mismatch';
    if (UNKNOWN_CA_CODES.has(code) || /self[- ]signed certificate|unable to (get local issuer|verify the first) certificate|unable to get issuer|certificate signature failure/i.test(text)) {
      return 'unknown CA';
    }
  }
  return undefined;
}

/** What went wrong and which setting fixes it, e.g. `cmdop.endpoints.dev.caFile`. */
export function tlsAdvice(problem: TlsProblem, where: string, caSetting: string, caConfigured: boolean): string {
  switch (problem) {
    case 'unknown CA':
      return caConfigured
        ? `TLS: the certificate of ${where} is not signed by the CA in "${caSetting}". Point "${caSetting}" at the PEM file of the CA that issued it.`
        : `TLS: the certificate of ${where} is signed by an unknown CA. Set "${caSetting}" to the PEM file of that CA (for the local fleet server: the CA file "fleet-server --tls" prints).`;
    case 'name mismatch':
      return `TLS: the certificate of ${where} is not issued for that host name. Use the host name the certificate names in "${caSetting.replace(/\.caFile$/, '')}" (issuer, api, relay).`;
    case 'expired':
      return `TLS: the certificate of ${where} has expired. The server must renew it; no client setting can make an expired certificate valid.`;
  }
}

export class TlsError extends CmdopError {
  constructor(
    readonly problem: TlsProblem,
    message: string,
  ) {
    super(message);
  }
}

/** The TlsError somewhere in an error's cause chain (libraries such as openid-client wrap fetch errors). */
export function findTlsError(err: unknown): TlsError | undefined {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof TlsError) return e;
  }
  return undefined;
}

export interface TlsOptions {
  /** PEM of the CA to trust (from the CA file setting); undefined: the system's roots. */
  ca?: string;
  /** The setting that holds the CA file, named in errors. */
  caSetting: string;
}

/**
 * A fetch for the REST API and the identity provider that trusts the configured CA and turns certificate
 * failures into errors saying which failure it is and what fixes it. Without a CA file it is the platform's
 * fetch; with one, requests go through node:https with that CA (VS Code applies its proxy settings,
 * `http.proxy` and `http.proxyStrictSSL`, to node:https in the extension host).
 */
export function tlsFetch(options: TlsOptions, inner: typeof fetch = fetch): typeof fetch {
  const send = options.ca ? caFetch(options.ca) : inner;
  return async (input, init) => {
    try {
      return await send(input, init);
    } catch (err) {
      const problem = tlsProblemOf(err);
      if (!problem) throw err;
      const url = new URL(input instanceof Request ? input.url : String(input));
      throw new TlsError(problem, tlsAdvice(problem, url.origin, options.caSetting, options.ca !== undefined));
    }
  };
}

function headerRecord(headers: RequestInit['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  new Headers(headers).forEach((value, key) => (out[key] = value));
  return out;
}

async function bodyBytes(body: RequestInit['body']): Promise<Buffer | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof URLSearchParams) return Buffer.from(body.toString());
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return Buffer.from(body as ArrayBuffer);
  return Buffer.from(await new Response(body).arrayBuffer());
}

/** The subset of fetch the API and openid-client use, over node:https with an extra trusted CA. */
function caFetch(ca: string): typeof fetch {
  return async (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const body = await bodyBytes(init.body);
    const headers = headerRecord(init.headers);
    if (body && !headers['content-type'] && init.body instanceof URLSearchParams) headers['content-type'] = 'application/x-www-form-urlencoded';
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<Response>((resolve, reject) => {
      const req = request(url, { method: init.method ?? 'GET', headers, ca, signal: init.signal ?? undefined }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const responseHeaders = new Headers();
          for (const [key, value] of Object.entries(res.headers)) {
            if (Array.isArray(value)) value.forEach((v) => responseHeaders.append(key, v));
            else if (value !== undefined) responseHeaders.set(key, value);
          }
          const status = res.statusCode ?? 0;
          const nullBody = status === 204 || status === 304 || (init.method ?? 'GET').toUpperCase() === 'HEAD';
          resolve(new Response(nullBody ? null : Buffer.concat(chunks), { status, statusText: res.statusMessage, headers: responseHeaders }));
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  };
}
