// `fleet-server --tls`: the identity provider, API and relays over TLS with certificates from a CA generated
// for the run. The extension's core with that CA configured signs in, lists the fleet's machines (the tree's
// data) and runs a command; without it, or with another CA, the error says so and names the setting.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFleetServer, type FleetServer } from '../../fleet-server/src/index';
import { generateTlsMaterial } from '../../fleet-server/src/net/tlsMaterial';
import { caSettingOf, endpointsFor, readCaFile } from '../../src/core/credentials/endpoints';
import { FleetApi } from '../../src/core/fleet/fleetApi';
import { runDeviceFlow } from '../../src/core/oauth/deviceFlow';
import { OpenIdProvider } from '../../src/core/oauth/oidcClient';
import { runCommand } from '../../src/core/relay/commandRun';
import { RelayClient } from '../../src/core/relay/relayClient';
import { tlsFetch } from '../../src/core/network/tls';
import { signInByDeviceFlow } from './support/deviceSignIn';
import { testModeServices } from './support/modeServices';

describe('TLS: fleet-server --tls and the extension core', () => {
  let server: FleetServer;
  const setting = caSettingOf('dev');

  before(async () => {
    server = await startFleetServer({ tls: true });
  });
  after(async () => {
    await server?.close();
  });

  it('serves every endpoint over https / TLS', () => {
    assert.match(server.issuer, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.match(server.apiUrl, /^https:\/\//);
    assert.match(server.tls!.caPem, /BEGIN CERTIFICATE/);
  });

  it('with the generated CA as cmdop.endpoints.dev.caFile: signs in, lists machines, runs a command', async () => {
    const endpoints = endpointsFor('dev', {
      dev: { issuer: server.issuer, api: server.apiUrl, relay: server.defaultRelay, clientId: server.clientId, caFile: server.tls!.caFile },
    });
    const ca = readCaFile('dev', endpoints);
    const fetchWithCa = tlsFetch({ ca, caSetting: setting });
    const { credential } = await signInByDeviceFlow(
      { issuer: endpoints.issuer, clientId: endpoints.clientId },
      { email: 'bob@acme.test', password: 'bob-pass' },
      fetchWithCa,
    );
    const api = new FleetApi(endpoints.api, fetchWithCa);
    assert.deepEqual(
      (await api.fleets(credential)).map((f) => f.id),
      ['acme-prod'],
    );
    const page = await api.machines(credential, 'acme-prod', { page: 1, pageSize: 50 });
    assert.deepEqual(page.results.map((m) => m.hostname).sort(), ['batch-1', 'db-1', 'web-1']);

    const relay = new RelayClient({
      address: server.relays['acme-prod'],
      fleetId: 'acme-prod',
      fleetName: 'Acme Production',
      credential,
      tls: { ca, caSetting: setting },
    });
    try {
      let output = '';
      const result = await runCommand(relay, 'web-1', 'echo "over-""tls"; exit 5', {
        onOutput: (d) => (output += Buffer.from(d).toString()),
      });
      assert.equal(result.exitCode, 5);
      assert.match(output, /over-tls/);
    } finally {
      relay.close();
    }
  });

  it('without the CA: sign-in and the API fail saying the CA is unknown and naming the setting', async () => {
    const plain = tlsFetch({ caSetting: setting });
    const idp = new OpenIdProvider(server.issuer, server.clientId, plain);
    await assert.rejects(
      runDeviceFlow(idp, () => undefined, new AbortController().signal),
      (err: Error) => {
        assert.match(err.message, /unknown CA/);
        assert.match(err.message, /cmdop\.endpoints\.dev\.caFile/);
        return true;
      },
    );
    const api = new FleetApi(server.apiUrl, plain);
    const key = server.seed.fleets[0].api_keys[0].secret;
    await assert.rejects(api.whoami({ kind: 'apiKey', source: 'setting', secret: key }), /unknown CA.*cmdop\.endpoints\.dev\.caFile/s);
  });

  it('with another CA: the API and the relay say the configured CA did not sign the certificate', async () => {
    const other = generateTlsMaterial('127.0.0.1').caPem;
    const api = new FleetApi(server.apiUrl, tlsFetch({ ca: other, caSetting: setting }));
    const key = server.seed.fleets[0].api_keys[0].secret;
    await assert.rejects(
      api.whoami({ kind: 'apiKey', source: 'setting', secret: key }),
      /not signed by the CA in "cmdop\.endpoints\.dev\.caFile"/,
    );
    const relay = new RelayClient({
      address: server.relays['acme-prod'],
      fleetId: 'acme-prod',
      fleetName: 'Acme Production',
      credential: { kind: 'apiKey', source: 'setting', secret: key, fleetId: 'acme-prod' },
      tls: { ca: other, caSetting: setting },
    });
    try {
      await assert.rejects(relay.health(), /TLS: the certificate of relay .* is not signed by the CA in "cmdop\.endpoints\.dev\.caFile"/);
    } finally {
      relay.close();
    }
  });

  it("a fleet served by its own relay uses that relay's CA file (relayCaFiles) over the mode's", async () => {
    const otherCaFile = generateTlsMaterial('127.0.0.1').caFile;
    const staging = server.relays['acme-staging'];
    const endpoints = endpointsFor('dev', { dev: { caFile: otherCaFile, relayCaFiles: { [staging]: server.tls!.caFile } } });
    // The pool of the mode's services as the extension builds them, with these CA settings.
    const services = testModeServices(endpoints);
    const pool = services.pool;
    const key = (fleetId: string, name: string) =>
      server.seed.fleets.find((f) => f.id === fleetId)!.api_keys.find((k) => k.name === name)!.secret;
    try {
      const viaOwnCa = pool.get({
        address: staging,
        fleetId: 'acme-staging',
        fleetName: 'Acme Staging',
        credential: { kind: 'apiKey', source: 'setting', secret: key('acme-staging', 'staging-ci'), fleetId: 'acme-staging' },
      });
      assert.equal((await viaOwnCa.health()).healthy, true);
      const viaModeCa = pool.get({
        address: server.relays['acme-prod'],
        fleetId: 'acme-prod',
        fleetName: 'Acme Production',
        credential: { kind: 'apiKey', source: 'setting', secret: key('acme-prod', 'ci-deploy'), fleetId: 'acme-prod' },
      });
      await assert.rejects(viaModeCa.health(), /not signed by the CA in "cmdop\.endpoints\.dev\.caFile"/);
    } finally {
      services.dispose();
    }
  });

  it('a CA setting pointing at no file, or at a file without a certificate, says so', () => {
    const endpoints = endpointsFor('dev', { dev: { caFile: '/nonexistent/ca.pem' } });
    assert.throws(
      () => readCaFile('dev', endpoints),
      /"cmdop\.endpoints\.dev\.caFile" names \/nonexistent\/ca\.pem, which cannot be read \(ENOENT\)/,
    );
    assert.throws(() => readCaFile('dev', endpointsFor('dev', { dev: { caFile: __filename } })), /holds no PEM certificate/);
  });
});
