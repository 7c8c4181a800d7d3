import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { Agent as HttpAgent, ClientRequest, type IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { describeProxy, ProxyError, type ProxyRoute } from './proxy';

/**
 * The subset of fetch the API and openid-client use, over node's own sockets: an extra trusted CA, and a proxy
 * (CONNECT tunnel for https, absolute-form requests for http: https-proxy-agent and http-proxy-agent), connections
 * kept open between requests. Requests are built with `ClientRequest` and agents of our own, so the extension host's patched `http.request` (VS Code's
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

function targetOf(url: URL): { host: string; port: number } {
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

/** A socket-level failure on the way to or through the proxy, with the setting to check. */
function proxyFailure(route: ProxyRoute, err: NodeJS.ErrnoException, where: string): Error {
  // TLS problems with the target keep their own code: tls.ts explains them (CA file, inspecting proxies).
  if (err.code && /CERT|SELF_SIGNED|UNABLE_TO|ERR_TLS/.test(err.code)) return err;
  const secure = route.proxy.protocol === 'https:';
  const fix = secure
    ? `Check ${route.source}; if the proxy's certificate is the problem, trust its CA or turn off "http.proxyStrictSSL".`
    : `Check ${route.source}, or list the host in "http.noProxy" to connect directly.`;
  if (err.code === 'ECONNREFUSED' || err.code === 'ENOTFOUND' || err.code === 'EHOSTUNREACH' || err.code === 'ETIMEDOUT') {
    return new ProxyError(`Cannot reach the proxy ${describeProxy(route.proxy)} (from ${route.source}): ${err.code}. ${fix}`);
  }
  return new ProxyError(
    `The proxy ${describeProxy(route.proxy)} (from ${route.source}) closed the connection to ${where}: ${err.code ?? err.message}. ${fix}`,
  );
}

/** Below the 5 s keep-alive timeout of node's HTTP server, so an idle socket is not reused just as the server closes it. */
const IDLE_SOCKET_MS = 4_000;

/**
 * The agents that carry requests: kept-alive connections to the target directly, or through the proxy (a CONNECT
 * tunnel for https, absolute-form requests for http). The proxy's credentials travel as headers of our own, never
 * in the proxy URL that errors and logs could show.
 */
function agentsFor(route: ProxyRoute | undefined): { https: HttpAgent; http: HttpAgent } {
  const keepAlive = { keepAlive: true, timeout: IDLE_SOCKET_MS };
  if (!route) return { https: new HttpsAgent(keepAlive), http: new HttpAgent(keepAlive) };
  const headers = route.authorization ? { 'proxy-authorization': route.authorization } : undefined;
  // The fleet CA goes on each request, not here: agent options also apply to the TLS of an https proxy, whose
  // certificate comes from the system's roots. Through a proxy, http.proxyStrictSSL decides whether the
  // target's certificate is verified (an inspecting proxy re-signs it); directly, it always is.
  const proxyTls = { rejectUnauthorized: route.strictSSL };
  const https = new HttpsProxyAgent(route.proxy, { ...keepAlive, ...proxyTls, headers });
  // agent-base guesses the protocol from the call stack, which names no https module for a bare ClientRequest.
  https.protocol = 'https:';
  return {
    https,
    http: new HttpProxyAgent(route.proxy, { ...keepAlive, ...proxyTls, headers }),
  };
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

interface RequestPlan {
  url: URL;
  method: string;
  headers: Record<string, string>;
  signal: AbortSignal | undefined;
  ca: NodeFetchOptions['ca'];
  /** The platform's own https/http request (no proxy on the way). */
  platform: boolean;
  route: NodeFetchOptions['route'];
  agents: ReturnType<typeof agentsFor>;
}

/** The request itself: the platform's, or ours on the route's agents (through the proxy, or past it). */
function openRequest(plan: RequestPlan, onResponse: (res: IncomingMessage) => void): ClientRequest {
  const { url, method, headers, signal, ca, route, agents } = plan;
  const secure = url.protocol === 'https:';
  if (plan.platform) return (secure ? httpsRequest : httpRequest)(url, { method, headers, signal, ca }, onResponse);
  const target = targetOf(url);
  return new ClientRequest(
    {
      agent: secure ? agents.https : agents.http,
      protocol: url.protocol,
      host: target.host,
      port: target.port,
      path: `${url.pathname}${url.search}`,
      method,
      headers,
      signal,
      ...(secure ? { ca, rejectUnauthorized: route ? route.strictSSL : true } : {}),
    } as ConstructorParameters<typeof ClientRequest>[0],
    onResponse,
  );
}

export function nodeFetch(options: NodeFetchOptions): typeof fetch {
  const { ca, route } = options;
  const platform = options.platform === true && !route;
  const agents = agentsFor(route);

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
      // The CONNECT answer, when the request went through a tunnel: a refusal there is the proxy's, not the host's.
      let tunnel: { statusCode?: number; statusText?: string } | undefined;
      const onResponse = (res: IncomingMessage) => {
        const refusedTunnel = tunnel && tunnel.statusCode !== 200;
        if (route && (refusedTunnel || (!secure && res.statusCode === 407))) {
          res.resume();
          const [where, status, text] = refusedTunnel
            ? [`${target.host}:${target.port}`, tunnel?.statusCode ?? 0, tunnel?.statusText ?? '']
            : [url.host, 407, res.statusMessage ?? ''];
          return reject(refusal(route, where, status, text));
        }
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => resolve(toResponse(res, chunks, method)));
      };
      const request = openRequest({ url, method, headers, signal, ca, platform, route, agents }, onResponse);
      request.once('proxyConnect', (connect: { statusCode?: number; statusText?: string }) => (tunnel = connect));
      request.on('error', (err: NodeJS.ErrnoException) => {
        // A kept-alive socket the server closed while idle: send once more on a fresh one (idempotent only).
        if (!retried && request.reusedSocket && err.code === 'ECONNRESET' && IDEMPOTENT.has(method) && !signal?.aborted) {
          return resolve(send(url, method, headers, body, signal, true));
        }
        reject(route && !signal?.aborted ? proxyFailure(route, err, `${target.host}:${target.port}`) : err);
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
