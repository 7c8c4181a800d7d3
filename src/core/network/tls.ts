import { AdvisedError } from '../errors';
import { nodeFetch } from './nodeFetch';
import { describeProxy, type ProxyDecision, proxyDecision, ProxyError, type ProxyRoute, type ProxySettings } from './proxy';

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
  for (
    let e = err as { code?: unknown; message?: unknown; details?: unknown; cause?: unknown } | undefined, depth = 0;
    e && depth < 5;
    e = e.cause as typeof e, depth++
  ) {
    const code = typeof e.code === 'string' ? e.code : '';
    const text = `${typeof e.message === 'string' ? e.message : ''} ${typeof e.details === 'string' ? e.details : ''}`;
    if (code === 'CERT_HAS_EXPIRED' || /certificate has expired/i.test(text)) return 'expired';
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || /does not match certificate's altnames|Hostname\/IP does not match/i.test(text))
      return 'name mismatch';
    if (
      UNKNOWN_CA_CODES.has(code) ||
      /self[- ]signed certificate|unable to (get local issuer|verify the first) certificate|unable to get issuer|certificate signature failure/i.test(
        text,
      )
    ) {
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

export class TlsError extends AdvisedError {
  constructor(
    readonly problem: TlsProblem,
    message: string,
  ) {
    super(message);
  }
}

export interface TlsOptions {
  /** PEM of the CA to trust (from the CA file setting); undefined: the system's roots. */
  ca?: string;
  /** The setting that holds the CA file, named in errors. */
  caSetting: string;
  /** VS Code's proxy settings, read for every request (so a changed setting applies at once). */
  proxy?: () => ProxySettings;
  /** The environment, for https_proxy / http_proxy / no_proxy. */
  env?: NodeJS.ProcessEnv;
  /** Told once per origin and proxy which proxy a request goes through (credentials never appear). */
  onProxy?: (line: string) => void;
}

/**
 * A fetch for the REST API and the identity provider that trusts the configured CA, honours VS Code's proxy
 * settings (`http.proxy`, `http.proxyStrictSSL`, `http.proxyAuthorization`, `http.noProxy`, and the
 * environment's proxy variables), and turns certificate failures into errors saying which failure it is and
 * what fixes it. Without a proxy configured it is the platform's fetch (node:https when a CA file is set);
 * through a proxy, or past one for a host it must not see, requests go over our own sockets (see nodeFetch).
 */
export function tlsFetch(options: TlsOptions, inner: typeof fetch = fetch): typeof fetch {
  // No proxy configured: the platform's fetch (or node:https with the CA), which VS Code may route through a
  // system proxy it detects. A host a configured proxy must not see: our own sockets, past VS Code's patches.
  const platform = options.ca ? nodeFetch({ ca: options.ca, platform: true }) : inner;
  const direct = nodeFetch({ ca: options.ca });
  // One fetch (and its pool of open connections and tunnels) per proxy, credentials and strictness.
  const viaProxy = new Map<string, typeof fetch>();
  const throughProxy = (route: ProxyRoute): typeof fetch => {
    const key = JSON.stringify([route.proxy.href, route.authorization ?? '', route.strictSSL]);
    let send = viaProxy.get(key);
    if (!send) viaProxy.set(key, (send = nodeFetch({ ca: options.ca, route })));
    return send;
  };
  const announced = new Set<string>();
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const decision: ProxyDecision = options.proxy ? proxyDecision(url, options.proxy(), options.env ?? process.env) : { kind: 'platform' };
    const route = decision.kind === 'proxy' ? decision.route : undefined;
    if (route && options.onProxy) {
      const line = `${url.origin} through the proxy ${describeProxy(route.proxy)} (from ${route.source})${route.strictSSL ? '' : '; "http.proxyStrictSSL" is off, so its certificates are not verified'}`;
      if (!announced.has(line)) {
        announced.add(line);
        options.onProxy(line);
      }
    }
    try {
      return await (route ? throughProxy(route) : decision.kind === 'direct' ? direct : platform)(input, init);
    } catch (err) {
      const problem = err instanceof ProxyError ? undefined : tlsProblemOf(err);
      if (!problem) throw err;
      let advice = tlsAdvice(problem, url.origin, options.caSetting, options.ca !== undefined);
      if (route && problem === 'unknown CA') {
        advice += ` The request went through the proxy ${describeProxy(route.proxy)}: if that proxy inspects TLS, add its CA to that file too, or turn off "http.proxyStrictSSL".`;
      }
      throw new TlsError(problem, advice);
    }
  };
}
