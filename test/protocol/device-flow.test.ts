import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFleetServer, type FleetServer } from '../../fleet-server/src/index';
import { approveDeviceCode } from '../../fleet-server/src/testing/approveDevice';
import { DEVICE_SCOPE, signIn } from './support/fleetHelpers';
import { relayClient, runCommand, type RelayClient } from './support/relayClient';

describe('device flow sign-in (openid-client) to a real shell', () => {
  let server: FleetServer;
  let relay: RelayClient;

  before(async () => {
    server = await startFleetServer();
    relay = relayClient(server.relays['acme-prod']);
  });
  after(async () => {
    relay?.close();
    await server?.close();
  });

  it('yields tokens whose ID token and userinfo list the fleets, and runs `echo hello; exit 7` on web-1', async () => {
    const { oidc, config, tokens } = await signIn(server, 'alice@acme.test', 'alice-pass');
    assert.ok(tokens.access_token, 'access token issued');
    assert.ok(tokens.refresh_token, 'refresh token issued (offline_access)');

    const expectedFleets = [
      { id: 'acme-prod', name: 'Acme Production', role: 'Owner' },
      { id: 'acme-staging', name: 'Acme Staging', role: 'Admin' },
      { id: 'partner-lab', name: 'Partner Lab', role: 'Guest' },
    ];
    const idClaims = tokens.claims();
    assert.equal(idClaims?.email, 'alice@acme.test');
    assert.deepEqual(idClaims?.fleets, expectedFleets);

    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, idClaims!.sub);
    assert.equal(userinfo.email, 'alice@acme.test');
    assert.equal(userinfo.name, 'Alice Admin');
    assert.deepEqual(userinfo.fleets, expectedFleets);

    const result = await runCommand(relay, { token: tokens.access_token, fleet: 'acme-prod', agent: 'web-1' }, 'echo hello; exit 7');
    assert.match(result.output.toString(), /hello/);
    assert.equal(result.exit?.exit_code, 7);
    assert.equal(result.exit?.signal, 0);
    assert.equal(result.exit?.total_bytes, result.output.length);
  });

  it('refuses the device code when the user cancels on the confirmation page', async () => {
    const oidc = await import('openid-client');
    const config = await oidc.discovery(new URL(server.issuer), server.clientId, undefined, oidc.None(), {
      execute: [oidc.allowInsecureRequests],
    });
    const device = await oidc.initiateDeviceAuthorization(config, { scope: DEVICE_SCOPE });
    const { finalPage } = await approveDeviceCode({
      issuer: server.issuer,
      userCode: device.user_code,
      email: 'bob@acme.test',
      password: 'bob-pass',
      deny: true,
    });
    assert.match(finalPage, /cancelled/);
    await assert.rejects(
      oidc.pollDeviceAuthorizationGrant(config, device),
      (err: Error & { error?: string }) => err.error === 'access_denied',
    );
  });

  it('rejects a wrong password on the login form', async () => {
    const oidc = await import('openid-client');
    const config = await oidc.discovery(new URL(server.issuer), server.clientId, undefined, oidc.None(), {
      execute: [oidc.allowInsecureRequests],
    });
    const device = await oidc.initiateDeviceAuthorization(config, { scope: DEVICE_SCOPE });
    await assert.rejects(
      approveDeviceCode({ issuer: server.issuer, userCode: device.user_code, email: 'bob@acme.test', password: 'not-bobs' }),
      /sign-in refused for bob@acme.test: .*Wrong email or password/,
    );
  });
});
