import { Agent as HttpAgent, ClientRequest, type IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, type RequestOptions as HttpsRequestOptions, request as httpsRequest } from 'node:https';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { describeProxy, ProxyError, type ProxyRoute } from './proxy';

/**
 * The subset of fetch the API and openid-client use, over node's own sockets: an extra trusted CA, and a proxy
 * (CONNECT tunnel for https, absolute-form requests for http), connections kept open between requests. Requests
 * are built with `ClientRequest` and agents of our own, so the extension host's patched `http.request` (VS Code's
 * proxy agent) cannot route them a second time or drop the CA.
 */
export interface NodeFetchOptions {
  /** PEM of the CA to trust instead of the system's roots. */
  ca?: string;
  /** The proxy this request goes through; undefined: directly. */
  route?: ProxyRoute;
  /**
   * Without a route: send with node:http(s)'s request functions and default agents, which VS Code's extension
   * host patches to apply a system proxy it detects, instead of our own agents that nothing can reroute.
   */
  platform?: boolean;
}

interface Target {
  host: string;
  port: number;
}

function targetOf(url: URL): Target {
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)) };
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

/**
 * A socket to the proxy, connected (and, for an https proxy, verified unless strictSSL is off). Called by the
 * agents when they need a connection; a request aborted meanwhile is ended by its own signal, and the agent
 * keeps or drops the socket that arrives late.
 */
function connectToProxy(route: ProxyRoute): Promise<Socket> {
  const { host, port } = targetOf(route.proxy);
  const secure = route.proxy.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const socket: Socket = secure
      ? tlsConnect({ host, port, servername: isIP(host) ? undefined : host, rejectUnauthorized: route.strictSSL })
      : netConnect(port, host);
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      const why = err.code ?? err.message;
      const fix = secure
        ? `Check ${route.source}; if the proxy's certificate is the problem, trust its CA or turn off "http.proxyStrictSSL".`
        : `Check ${route.source}, or list the host in "http.noProxy" to connect directly.`;
      reject(new ProxyError(`Cannot reach the proxy ${describeProxy(route.proxy)} (from ${route.source}): ${why}. ${fix}`));
    });
  });
}

function refusal(route: ProxyRoute, where: string, status: number, statusText: string): ProxyError {
  if (status === 407) {
    return new ProxyError(
      `The proxy ${describeProxy(route.proxy)} (from ${route.source}) asks for credentials (407) to reach ${where}. ` +
        (route.authorization
          ? 'The credentials given were refused: check "http.proxyAuthorization" or the user and password in the proxy URL.'
          : 'Set "http.proxyAuthorization", or put the user and password in the proxy URL.'),
    );
  }
  return new ProxyError(
    `The proxy ${describeProxy(route.proxy)} (from ${route.source}) refused to connect to ${where}: ${status} ${statusText}. Ask its administrator to allow it, or list the host in "http.noProxy".`,
  );
}

/** A CONNECT tunnel through the proxy to the target; its socket carries the TLS of the target. */
async function openTunnel(route: ProxyRoute, target: Target): Promise<Duplex> {
  const proxySocket = await connectToProxy(route);
  const authority = `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: authority };
    if (route.authorization) headers['proxy-authorization'] = route.authorization;
    const request = new ClientRequest({ method: 'CONNECT', path: authority, headers, createConnection: () => proxySocket });
    request.once('connect', (response: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (response.statusCode !== 200) {
        socket.destroy();
        return reject(refusal(route, authority, response.statusCode ?? 0, response.statusMessage ?? ''));
      }
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    request.once('error', (err: Error) =>
      reject(
        new ProxyError(
          `The proxy ${describeProxy(route.proxy)} (from ${route.source}) closed the tunnel to ${authority}: ${err.message}. Check ${route.source}.`,
        ),
      ),
    );
    request.end();
  });
}

/** Below the 5 s keep-alive timeout of node's HTTP server, so an idle socket is not reused just as the server closes it. */
const IDLE_SOCKET_MS = 4_000;

/**
 * Keeps connections open between requests (a tunnel costs a round trip to the proxy and a TLS handshake), to the
 * target directly or through a CONNECT tunnel; TLS verified against `ca`, and through a proxy per strictSSL.
 */
class HttpsAgentVia extends HttpsAgent {
  constructor(
    private readonly route: ProxyRoute | undefined,
    ca: string | undefined,
  ) {
    // Through a proxy, http.proxyStrictSSL decides whether the target's certificate is verified (a proxy that
    // inspects TLS re-signs it); directly, it always is.
    super({ keepAlive: true, timeout: IDLE_SOCKET_MS, ca, rejectUnauthorized: route ? route.strictSSL : true });
  }

  override createConnection(
    options: HttpsRequestOptions,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const route = this.route;
    if (!route) return super.createConnection(options, callback);
    const target = { host: String(options.host), port: Number(options.port) };
    openTunnel(route, target).then(
      (tunnel) => callback!(null, super.createConnection({ ...options, socket: tunnel } as HttpsRequestOptions)!),
      (err: Error) => callback!(err, undefined as unknown as Duplex),
    );
    return undefined;
  }
}

/** Plain http through a proxy: every connection goes to the proxy, which gets absolute-form requests. */
class HttpAgentVia extends HttpAgent {
  constructor(private readonly route: ProxyRoute) {
    super({ keepAlive: true, timeout: IDLE_SOCKET_MS });
  }

  override createConnection(_options: unknown, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    connectToProxy(this.route).then(
      (socket) => callback!(null, socket),
      (err: Error) => callback!(err, undefined as unknown as Duplex),
    );
    return undefined;
  }
}

function toResponse(res: IncomingMessage, chunks: Buffer[], method: string): Response {
  const headers = new Headers();
  for (const [key, value] of Object.entries(res.headers)) {
    if (Array.isArray(value)) value.forEach((v) => headers.append(key, v));
    else if (value !== undefined) headers.set(key, value);
  }
  const status = res.statusCode ?? 0;
  const nullBody = status === 204 || status === 304 || method === 'HEAD';
  return new Response(nullBody ? null : Buffer.concat(chunks), { status, statusText: res.statusMessage, headers });
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

export function nodeFetch(options: NodeFetchOptions): typeof fetch {
  const { ca, route } = options;
  const platform = options.platform === true && !route;
  const httpsAgent = new HttpsAgentVia(route, ca);
  const httpAgent = route ? new HttpAgentVia(route) : new HttpAgent({ keepAlive: true, timeout: IDLE_SOCKET_MS });

  const send = (
    url: URL,
    method: string,
    headers: Record<string, string>,
    body: Buffer | undefined,
    signal: AbortSignal | undefined,
    retried: boolean,
  ): Promise<Response> =>
    new Promise<Response>((resolve, reject) => {
      const secure = url.protocol === 'https:';
      const target = targetOf(url);
      const onResponse = (res: IncomingMessage) => {
        if (route && !secure && res.statusCode === 407) {
          res.resume();
          return reject(refusal(route, url.host, 407, res.statusMessage ?? ''));
        }
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => resolve(toResponse(res, chunks, method)));
      };
      const request = platform
        ? (secure ? httpsRequest : httpRequest)(url, { method, headers, signal, ca }, onResponse)
        : new ClientRequest(
            {
              agent: secure ? httpsAgent : httpAgent,
              protocol: url.protocol,
              host: target.host,
              port: target.port,
              path: route && !secure ? url.href : `${url.pathname}${url.search}`,
              method,
              headers: route && !secure && route.authorization ? { ...headers, 'proxy-authorization': route.authorization } : headers,
              signal,
            },
            onResponse,
          );
      request.on('error', (err: NodeJS.ErrnoException) => {
        // A kept-alive socket the server closed while idle: send once more on a fresh one (idempotent only).
        if (!retried && request.reusedSocket && err.code === 'ECONNRESET' && IDEMPOTENT.has(method) && !signal?.aborted) {
          return resolve(send(url, method, headers, body, signal, true));
        }
        reject(err);
      });
      request.end(body);
    });

  return async (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const method = (init.method ?? 'GET').toUpperCase();
    const body = await bodyBytes(init.body);
    const headers: Record<string, string> = { host: url.host, ...headerRecord(init.headers) };
    if (body && !headers['content-type'] && init.body instanceof URLSearchParams)
      headers['content-type'] = 'application/x-www-form-urlencoded';
    return send(url, method, headers, body, init.signal ?? undefined, false);
  };
}
