// VS Code's proxy settings for REST and the identity provider: `http.proxy` (or the environment's https_proxy),
// its credentials, `http.proxyStrictSSL` and `http.noProxy`. The fleet server is known as
// `fleet.cmdop.test`, a name only the proxy resolves, so a request that succeeds went through the proxy; the
// proxy records everything it saw in clear, and no secret may be in it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFleetServer, type FleetServer } from '../../fleet-server/src/index';
import { caSettingOf } from '../../src/core/credentials/endpoints';
import { FleetApi, type WhoAmI } from '../../src/core/fleet/fleetApi';
import { DEFAULT_PROXY_SETTINGS, type ProxySettings } from '../../src/core/network/proxy';
import { tlsFetch } from '../../src/core/network/tls';
import { signInByDeviceFlow } from './support/deviceSignIn';
import { startRecordingProxy, type RecordingProxy } from '../../fleet-server/src/testing/forwardProxy';

const caSetting = caSettingOf('dev');
const fleetOf = (who: WhoAmI) => (who.kind === 'api_key' ? who.fleet.id : undefined);

describe("REST and sign-in through VS Code's proxy settings", () => {
  let server: FleetServer;
  let plainServer: FleetServer;
  let proxy: RecordingProxy;
  let guardedProxy: RecordingProxy;
  const proxyPassword = 'pr0xy-pass-7731';
  let key: string;

  before(async () => {
    [server, plainServer, proxy, guardedProxy] = await Promise.all([
      startFleetServer({ tls: true, publicHost: 'fleet.cmdop.test' }),
      startFleetServer({ publicHost: 'plain.cmdop.test' }),
      startRecordingProxy(),
      startRecordingProxy({ credentials: { user: 'alice', password: proxyPassword } }),
    ]);
    key = server.seed.fleets.find((f) => f.id === 'acme-prod')!.api_keys[0].secret;
  });
  after(async () => {
    await Promise.all([server?.close(), plainServer?.close(), proxy?.close(), guardedProxy?.close()]);
  });

  const settings =
    (overrides: Partial<ProxySettings>): (() => ProxySettings) =>
    () => ({ ...DEFAULT_PROXY_SETTINGS, ...overrides });
  const withCa = (proxySettings: () => ProxySettings, env: NodeJS.ProcessEnv = {}, onProxy?: (line: string) => void) =>
    tlsFetch({ ca: server.tls!.caPem, caSetting, proxy: proxySettings, env, onProxy });
  const apiKeyCredential = () => ({ kind: 'apiKey' as const, source: 'setting' as const, secret: key, fleetId: 'acme-prod' });

  it('the fleet server is served by a name only the proxy resolves', () => {
    assert.match(server.issuer, /^https:\/\/fleet\.cmdop\.test:\d+$/);
    assert.match(server.apiUrl, /^https:\/\/fleet\.cmdop\.test:\d+$/);
  });

  it('with http.proxy: device-flow sign-in, fleets and machines go through CONNECT tunnels; the proxy sees no secret', async () => {
    const announced: string[] = [];
    const requests = withCa(settings({ proxy: proxy.url }), {}, (line) => announced.push(line));
    const before = proxy.seen.length;
    const { tokens, credential: oauth } = await signInByDeviceFlow(server, { email: 'bob@acme.test', password: 'bob-pass' }, requests);
    const api = new FleetApi(server.apiUrl, requests);
    assert.deepEqual(
      (await api.fleets(oauth)).map((f) => f.id),
      ['acme-prod'],
    );
    const page = await api.machines(oauth, 'acme-prod', { page: 1, pageSize: 50 });
    assert.deepEqual(page.results.map((m) => m.hostname).sort(), ['batch-1', 'db-1', 'web-1']);
    assert.equal(fleetOf(await api.whoami(apiKeyCredential())), 'acme-prod');

    const seen = proxy.seen.slice(before);
    const issuerPort = new URL(server.issuer).port;
    const apiPort = new URL(server.apiUrl).port;
    assert.ok(seen.length >= 2, `the proxy saw ${seen.length} requests`);
    for (const request of seen) assert.match(request.line, /^CONNECT fleet\.cmdop\.test:\d+ HTTP\/1\.1$/);
    assert.ok(
      seen.some((r) => r.line.includes(`:${issuerPort} `)),
      'the identity provider went through the proxy',
    );
    assert.ok(
      seen.some((r) => r.line.includes(`:${apiPort} `)),
      'the REST API went through the proxy',
    );
    const transcript = proxy.transcript();
    for (const secret of [tokens.accessToken, tokens.refreshToken, key, 'bob-pass']) {
      if (secret) assert.ok(!transcript.includes(secret), 'a secret reached the proxy in clear');
    }
    assert.deepEqual(
      announced.sort(),
      [server.apiUrl, server.issuer].sort().map((origin) => `${origin} through the proxy ${proxy.url} (from "http.proxy")`),
    );
  });

  it('a tunnel is kept open between requests: five calls in a row, one CONNECT', async () => {
    const api = new FleetApi(server.apiUrl, withCa(settings({ proxy: proxy.url })));
    const before = proxy.seen.length;
    for (let i = 0; i < 5; i++) assert.equal(fleetOf(await api.whoami(apiKeyCredential())), 'acme-prod');
    assert.equal(proxy.seen.length - before, 1);
  });

  it('without http.proxy, the environment\'s https_proxy is used; http.proxySupport "off" connects directly', async () => {
    const before = proxy.seen.length;
    const viaEnv = new FleetApi(server.apiUrl, withCa(settings({}), { https_proxy: proxy.url }));
    await viaEnv.whoami(apiKeyCredential());
    assert.equal(proxy.seen.length, before + 1);

    const off = new FleetApi(server.apiUrl, withCa(settings({ proxy: proxy.url, support: 'off' })));
    await assert.rejects(off.whoami(apiKeyCredential()), /fleet\.cmdop\.test/);
    assert.equal(proxy.seen.length, before + 1, 'the proxy saw nothing');
  });

  it('http.noProxy and no_proxy send the host directly (here: a name that only the proxy resolves, so it fails)', async () => {
    const before = proxy.seen.length;
    for (const bypass of [
      settings({ proxy: proxy.url, noProxy: ['.cmdop.test'] }),
      settings({ proxy: proxy.url, noProxy: [`fleet.cmdop.test:${new URL(server.apiUrl).port}`] }),
    ]) {
      await assert.rejects(new FleetApi(server.apiUrl, withCa(bypass)).whoami(apiKeyCredential()), /fleet\.cmdop\.test/);
    }
    await assert.rejects(
      new FleetApi(server.apiUrl, withCa(settings({ proxy: proxy.url }), { no_proxy: 'example.org,*.cmdop.test' })).whoami(
        apiKeyCredential(),
      ),
      /fleet\.cmdop\.test/,
    );
    assert.equal(proxy.seen.length, before, 'the proxy saw nothing');
  });

  it('a proxy that wants credentials: 407 names http.proxyAuthorization; credentials in the URL or that setting pass; the password is never shown', async () => {
    const bare = new FleetApi(server.apiUrl, withCa(settings({ proxy: guardedProxy.url })));
    await assert.rejects(bare.whoami(apiKeyCredential()), (err: Error) => {
      assert.match(
        err.message,
        /asks for credentials \(407\).*Set "http\.proxyAuthorization", or put the user and password in the proxy URL/,
      );
      return true;
    });
    const inUrl = guardedProxy.url.replace('http://', `http://alice:${proxyPassword}@`);
    const wrong = guardedProxy.url.replace('http://', 'http://alice:wrong-pass-1@');
    assert.equal(fleetOf(await new FleetApi(server.apiUrl, withCa(settings({ proxy: inUrl }))).whoami(apiKeyCredential())), 'acme-prod');
    const header = `Basic ${Buffer.from(`alice:${proxyPassword}`).toString('base64')}`;
    await new FleetApi(server.apiUrl, withCa(settings({ proxy: guardedProxy.url, authorization: header }))).whoami(apiKeyCredential());
    await assert.rejects(new FleetApi(server.apiUrl, withCa(settings({ proxy: wrong }))).whoami(apiKeyCredential()), (err: Error) => {
      assert.match(err.message, /The credentials given were refused/);
      assert.ok(!err.message.includes('wrong-pass-1'), 'the proxy password is in the message');
      assert.match(err.message, new RegExp(`The proxy ${guardedProxy.url.replace(/[.]/g, '\\.')} \\(from "http\\.proxy"\\)`));
      assert.doesNotMatch(err.message, /cmdop\.endpoints/);
      return true;
    });
  });

  it('http.proxyStrictSSL: on, an unknown CA is an error naming the CA setting and the proxy; off, the request passes', async () => {
    const noCa = (strictSSL: boolean) => tlsFetch({ caSetting, proxy: settings({ proxy: proxy.url, strictSSL }), env: {} });
    await assert.rejects(new FleetApi(server.apiUrl, noCa(true)).whoami(apiKeyCredential()), (err: Error) => {
      assert.match(err.message, /unknown CA.*cmdop\.endpoints\.dev\.caFile/s);
      assert.match(err.message, /went through the proxy .*"http\.proxyStrictSSL"/);
      return true;
    });
    await new FleetApi(server.apiUrl, noCa(false)).whoami(apiKeyCredential());
  });

  it('plain http through the proxy: absolute-form requests whose request lines hold no secret', async () => {
    const before = proxy.seen.length;
    const plainKey = plainServer.seed.fleets.find((f) => f.id === 'acme-prod')!.api_keys[0].secret;
    const api = new FleetApi(plainServer.apiUrl, tlsFetch({ caSetting, proxy: settings({ proxy: proxy.url }), env: {} }));
    const credential = { kind: 'apiKey' as const, source: 'setting' as const, secret: plainKey, fleetId: 'acme-prod' };
    const page = await api.machines(credential, 'acme-prod', { page: 1, pageSize: 50 });
    assert.equal(page.results.length, 3);
    const lines = proxy.seen.slice(before).map((r) => r.line);
    assert.ok(lines.length >= 1);
    for (const line of lines) {
      assert.match(line, /^GET http:\/\/plain\.cmdop\.test:\d+\/\S+ HTTP\/1\.1$/);
      assert.ok(!line.includes(plainKey), 'the API key is in a request line');
    }
  });

  it('a proxy that cannot be reached, or a setting that is no proxy URL, says which setting to fix', async () => {
    await assert.rejects(
      new FleetApi(server.apiUrl, withCa(settings({ proxy: 'http://127.0.0.1:1' }))).whoami(apiKeyCredential()),
      /Cannot reach the proxy http:\/\/127\.0\.0\.1:1 \(from "http\.proxy"\): ECONNREFUSED\. Check "http\.proxy"/,
    );
    await assert.rejects(
      new FleetApi(server.apiUrl, withCa(settings({ proxy: 'socks5://127.0.0.1:1080' }))).whoami(apiKeyCredential()),
      /"http\.proxy" uses socks5, which CMDOP cannot use/,
    );
    await assert.rejects(
      new FleetApi(server.apiUrl, withCa(settings({}), { HTTPS_PROXY: 'http://[bad' })).whoami(apiKeyCredential()),
      /The environment variable HTTPS_PROXY is not a proxy URL/,
    );
  });
});
