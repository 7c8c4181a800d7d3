import { isIP } from 'node:net';
import { AdvisedError } from '../errors';
import { isLocalhostSubdomain, isLoopback } from './loopback';

/**
 * VS Code's proxy settings as the REST API and the identity provider use them. Read on every request, so a
 * changed setting applies to the next call without a reload.
 */
export interface ProxySettings {
  /** `http.proxy`: `http://[user:password@]host:port` (or `https://`). Empty: the environment's proxy. */
  proxy?: string;
  /** `http.proxyStrictSSL`: false stops verifying certificates of hosts reached through the proxy. */
  strictSSL: boolean;
  /** `http.proxyAuthorization`: the Proxy-Authorization header value (a secret). */
  authorization?: string;
  /** `http.noProxy`: hosts reached directly (`example.com`, `.example.com`, `*.example.com`, `host:port`, `10.0.0.0/8`, `*`). */
  noProxy: readonly string[];
  /** `http.proxySupport`: `off` turns proxying off for extensions, as VS Code itself does. */
  support?: string;
}

export const DEFAULT_PROXY_SETTINGS: ProxySettings = { strictSSL: true, noProxy: [] };

/** How one request reaches its host through a proxy. */
export interface ProxyRoute {
  /** The proxy, without credentials. */
  proxy: URL;
  /** Where the proxy came from, named in errors: `"http.proxy"` or the environment variable. */
  source: string;
  /** Proxy-Authorization value, from `http.proxyAuthorization` or the proxy URL's user and password. */
  authorization?: string;
  /** Verify certificates of the target (and of an https proxy); `http.proxyStrictSSL`. */
  strictSSL: boolean;
}

export class ProxyError extends AdvisedError {}

/** A proxy address for messages: scheme, host and port only; credentials never appear. */
export function describeProxy(proxy: URL): string {
  return `${proxy.protocol}//${proxy.host}`;
}

function envValue(env: NodeJS.ProcessEnv, names: readonly string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return { name, value };
  }
  return undefined;
}

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function parseProxyUrl(value: string, from: string): URL {
  const source = capitalized(from);
  // `host:port` without a scheme is common in environment variables; it means an http proxy.
  const withScheme = /^[a-z][a-z\d+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new ProxyError(
      `${source} is not a proxy URL. Set it to http://host:port (or https://host:port), or clear it to connect directly.`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ProxyError(
      `${source} uses ${url.protocol.replace(/:$/, '')}, which CMDOP cannot use: only http:// and https:// proxies are supported. Set an http proxy, or clear it to connect directly.`,
    );
  }
  if (!url.hostname) throw new ProxyError(`${source} names no proxy host. Set it to http://host:port, or clear it to connect directly.`);
  return url;
}

function ipv4Number(address: string): number {
  return address.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function inCidr(host: string, cidr: string): boolean {
  const [network, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  if (isIP(host) !== 4 || isIP(network) !== 4 || !Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (ipv4Number(host) & mask) >>> 0 === (ipv4Number(network) & mask) >>> 0;
}

function defaultPort(url: URL): string {
  return url.port || (url.protocol === 'https:' ? '443' : '80');
}

/** Whether one no-proxy entry covers the target (curl's rules, plus `*.` prefixes and IPv4 CIDR). */
function bypasses(entry: string, target: URL): boolean {
  const rule = entry.trim().toLowerCase();
  if (!rule) return false;
  if (rule === '*') return true;
  const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (rule.includes('/')) return inCidr(host, rule);
  const portMatch = /^(.*):(\d+)$/.exec(rule);
  const [ruleHost, rulePort] = portMatch && !rule.includes('::') ? [portMatch[1], portMatch[2]] : [rule, undefined];
  if (rulePort && rulePort !== defaultPort(target)) return false;
  const name = ruleHost.replace(/^\*?\./, '');
  return host === name || host.endsWith(`.${name}`);
}

/**
 * How a request to `target` leaves:
 * - `proxy`: through the configured proxy. `http.proxy` first, then the environment (`https_proxy` for https
 *   targets, `http_proxy` for http ones, as curl and VS Code read them).
 * - `direct`: a proxy is configured, but `http.noProxy` / `no_proxy` list the host, or it is loopback or a
 *   `*.localhost` name (the local fleet server must not go through a corporate proxy): straight to the host, past any proxy VS Code would add.
 * - `platform`: no proxy configured (or `http.proxySupport` off): the platform's own way, so a system proxy
 *   VS Code detects (PAC, OS settings) still applies.
 */
export type ProxyDecision = { kind: 'platform' } | { kind: 'direct' } | { kind: 'proxy'; route: ProxyRoute };

export function proxyDecision(target: URL, settings: ProxySettings, env: NodeJS.ProcessEnv = process.env): ProxyDecision {
  if (settings.support === 'off') return { kind: 'platform' };
  const configured = settings.proxy?.trim();
  const fromEnv = configured
    ? undefined
    : envValue(
        env,
        target.protocol === 'https:' ? ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY'] : ['http_proxy', 'HTTP_PROXY'],
      );
  const chosen = configured
    ? { name: '"http.proxy"', value: configured }
    : fromEnv
      ? { name: `the environment variable ${fromEnv.name}`, value: fromEnv.value }
      : undefined;
  if (!chosen) return { kind: 'platform' };
  if (isLoopback(target.hostname) || isLocalhostSubdomain(target.hostname)) return { kind: 'direct' };
  const noProxy = [...settings.noProxy, ...(envValue(env, ['no_proxy', 'NO_PROXY'])?.value.split(',') ?? [])];
  if (noProxy.some((entry) => bypasses(entry, target))) return { kind: 'direct' };

  const url = parseProxyUrl(chosen.value, chosen.name);
  let authorization = settings.authorization?.trim() || undefined;
  if (!authorization && url.username) {
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  }
  const proxy = new URL(`${url.protocol}//${url.host}`);
  return { kind: 'proxy', route: { proxy, source: chosen.name, authorization, strictSSL: settings.strictSSL } };
}

/** The proxy a request to `target` goes through, or undefined when it goes without one. */
export function proxyRoute(target: URL, settings: ProxySettings, env: NodeJS.ProcessEnv = process.env): ProxyRoute | undefined {
  const decision = proxyDecision(target, settings, env);
  return decision.kind === 'proxy' ? decision.route : undefined;
}
