import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFleetServer, type FleetServer } from '../../fleet-server/src/index';
import { getJson, signIn, waitFor } from './support/fleetHelpers';
import { call, expectStatus, grpc, relayClient, type RelayClient } from './support/relayClient';

describe('OAuth access token lifetime', () => {
  let server: FleetServer;
  let relay: RelayClient;

  before(async () => {
    server = await startFleetServer({ accessTokenTtlSeconds: 2 });
    relay = relayClient(server.relays['acme-prod']);
  });
  after(async () => {
    relay?.close();
    await server?.close();
  });

  it('refuses an expired access token and accepts the refreshed one', async () => {
    const { oidc, config, tokens } = await signIn(server, 'bob@acme.test', 'bob-pass');
    const meta = { token: tokens.access_token, fleet: 'acme-prod' };
    assert.equal((await call(relay, 'HealthCheck', {}, meta)).healthy, true, 'fresh token works');

    // Wait (bounded) for the server's own clock to pass the 2 s TTL; the assertions follow.
    await waitFor('the access token to expire', async () =>
      (await getJson(server, '/api/whoami', tokens.access_token)).status === 401 ? true : undefined,
    );
    const rest = await getJson(server, '/api/whoami', tokens.access_token);
    assert.equal(rest.status, 401);
    assert.match(rest.body.detail, /access token expired/);
    await expectStatus(call(relay, 'HealthCheck', {}, meta), grpc.status.UNAUTHENTICATED, /access token expired/);

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    assert.notEqual(refreshed.access_token, tokens.access_token);
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token, 'refresh tokens rotate');
    const health = await call(relay, 'HealthCheck', {}, { token: refreshed.access_token, fleet: 'acme-prod' });
    assert.equal(health.healthy, true);
    const whoami = await getJson(server, '/api/whoami', refreshed.access_token);
    assert.equal(whoami.body.email, 'bob@acme.test');
    assert.deepEqual(whoami.body.fleets, [{ id: 'acme-prod', name: 'Acme Production', role: 'Member', relay: server.relays['acme-prod'] }]);

    // The rotated-away refresh token is spent.
    await assert.rejects(
      oidc.refreshTokenGrant(config, tokens.refresh_token!),
      (err: Error & { error?: string }) => err.error === 'invalid_grant',
    );
  });

  it('reports a revoked access token as revoked', async () => {
    const { oidc, config, tokens } = await signIn(server, 'alice@acme.test', 'alice-pass');
    await oidc.tokenRevocation(config, tokens.access_token, { token_type_hint: 'access_token' });
    const rest = await getJson(server, '/api/fleets/', tokens.access_token);
    assert.equal(rest.status, 401);
    assert.match(rest.body.detail, /access token revoked/);
    await expectStatus(
      call(relay, 'HealthCheck', {}, { token: tokens.access_token, fleet: 'acme-prod' }),
      grpc.status.UNAUTHENTICATED,
      /revoked/,
    );
  });
});
