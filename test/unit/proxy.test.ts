import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_PROXY_SETTINGS, proxyDecision, proxyRoute, type ProxySettings } from '../../src/core/network/proxy';

const api = new URL('https://api.cmdop.example:8443/api/whoami');
const plainApi = new URL('http://api.cmdop.example/api/whoami');
const settings = (overrides: Partial<ProxySettings> = {}): ProxySettings => ({ ...DEFAULT_PROXY_SETTINGS, ...overrides });

describe('which proxy a REST request goes through', () => {
  it('http.proxy wins over the environment; without it, https_proxy for https and http_proxy for http', () => {
    const env = { https_proxy: 'http://env-secure:3128', http_proxy: 'http://env-plain:3128' };
    assert.equal(proxyRoute(api, settings({ proxy: 'http://corp:8080' }), env)?.proxy.href, 'http://corp:8080/');
    assert.equal(proxyRoute(api, settings({ proxy: 'http://corp:8080' }), env)?.source, '"http.proxy"');
    assert.equal(proxyRoute(api, settings(), env)?.proxy.host, 'env-secure:3128');
    assert.equal(proxyRoute(api, settings(), env)?.source, 'the environment variable https_proxy');
    assert.equal(proxyRoute(plainApi, settings(), env)?.proxy.host, 'env-plain:3128');
    assert.equal(
      proxyRoute(api, settings(), { HTTP_PROXY: 'env-plain:3128' })?.proxy.href,
      'http://env-plain:3128/',
      'host:port means an http proxy',
    );
    assert.equal(
      proxyRoute(plainApi, settings(), { https_proxy: 'http://env-secure:3128' }),
      undefined,
      'https_proxy is not used for http',
    );
    assert.equal(proxyRoute(api, settings(), {}), undefined);
  });

  it('loopback is always direct; http.proxySupport "off" turns proxying off', () => {
    for (const local of ['http://127.0.0.1:4401/x', 'https://localhost:4401/x', 'http://[::1]:4401/x', 'http://127.5.0.1/x']) {
      assert.equal(proxyRoute(new URL(local), settings({ proxy: 'http://corp:8080' }), {}), undefined, local);
    }
    assert.equal(proxyRoute(api, settings({ proxy: 'http://corp:8080', support: 'off' }), {}), undefined);
    assert.ok(proxyRoute(api, settings({ proxy: 'http://corp:8080', support: 'override' }), {}));
  });

  it('*.localhost names skip the proxy too; names that only look local go through it', () => {
    const corp = settings({ proxy: 'http://corp:8080' });
    assert.equal(proxyDecision(new URL('http://fleet.localhost:4401/x'), corp, {}).kind, 'direct');
    for (const remote of ['http://127.evil.example/x', 'http://localhost.evil.example/x', 'http://evil-localhost/x']) {
      assert.equal(proxyDecision(new URL(remote), corp, {}).kind, 'proxy', remote);
    }
  });

  it('without a configured proxy the platform decides (a system proxy VS Code detects); a host a configured proxy must not see goes direct', () => {
    const kind = (target: URL, s: Partial<ProxySettings>, env: NodeJS.ProcessEnv = {}) => proxyDecision(target, settings(s), env).kind;
    assert.equal(kind(api, {}), 'platform');
    assert.equal(kind(new URL('http://127.0.0.1:4401/x'), {}), 'platform');
    assert.equal(kind(api, { proxy: 'http://corp:8080', support: 'off' }), 'platform');
    assert.equal(kind(new URL('http://127.0.0.1:4401/x'), { proxy: 'http://corp:8080' }), 'direct');
    assert.equal(kind(api, { proxy: 'http://corp:8080', noProxy: ['cmdop.example'] }), 'direct');
    assert.equal(kind(api, {}, { no_proxy: '*', https_proxy: 'corp:8080' }), 'direct');
    assert.equal(kind(api, { proxy: 'http://corp:8080' }), 'proxy');
  });

  it('http.noProxy and no_proxy: names, subdomains, *. and . prefixes, ports, IPv4 ranges and *', () => {
    const via = (noProxy: string[], target = api, env: NodeJS.ProcessEnv = {}) =>
      proxyRoute(target, settings({ proxy: 'http://corp:8080', noProxy }), env) !== undefined;
    assert.equal(via(['cmdop.example']), false, 'a domain covers its subdomains');
    assert.equal(via(['.cmdop.example']), false);
    assert.equal(via(['*.cmdop.example']), false);
    assert.equal(via(['api.cmdop.example:8443']), false);
    assert.equal(via(['api.cmdop.example:443']), true, 'another port');
    assert.equal(via(['example.org', 'pi.cmdop.example']), true, 'no suffix match inside a label');
    assert.equal(via(['*']), false);
    assert.equal(via(['10.0.0.0/8'], new URL('https://10.20.30.40/x')), false);
    assert.equal(via(['10.0.0.0/8'], new URL('https://11.20.30.40/x')), true);
    assert.equal(via([], api, { no_proxy: 'example.org, .cmdop.example' }), false);
    assert.equal(via([], api, { NO_PROXY: 'example.org' }), true);
  });

  it("credentials: http.proxyAuthorization, else the proxy URL's user and password as Basic; the route's proxy URL has none", () => {
    const fromUrl = proxyRoute(api, settings({ proxy: 'http://al%40ce:p%3Ass@corp:8080' }), {})!;
    assert.equal(fromUrl.authorization, `Basic ${Buffer.from('al@ce:p:ss').toString('base64')}`);
    assert.equal(fromUrl.proxy.href, 'http://corp:8080/');
    assert.equal(
      proxyRoute(api, settings({ proxy: 'http://u:p@corp:8080', authorization: 'Negotiate abc' }), {})!.authorization,
      'Negotiate abc',
    );
    assert.equal(proxyRoute(api, settings({ proxy: 'http://corp:8080' }), {})!.authorization, undefined);
  });

  it('http.proxyStrictSSL travels with the route', () => {
    assert.equal(proxyRoute(api, settings({ proxy: 'http://corp:8080' }), {})!.strictSSL, true);
    assert.equal(proxyRoute(api, settings({ proxy: 'http://corp:8080', strictSSL: false }), {})!.strictSSL, false);
  });

  it('a value that is no usable proxy says which setting or variable holds it, without echoing it', () => {
    assert.throws(
      () => proxyRoute(api, settings({ proxy: 'socks5://u:secret@corp:1080' }), {}),
      (err: Error) => {
        assert.match(err.message, /"http\.proxy" uses socks5, which CMDOP cannot use/);
        assert.ok(!err.message.includes('secret'));
        return true;
      },
    );
    assert.throws(
      () => proxyRoute(api, settings(), { HTTPS_PROXY: 'http://[oops' }),
      /The environment variable HTTPS_PROXY is not a proxy URL/,
    );
  });
});
