import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFleetServer, type FleetServer } from '../../fleet-server/src/index';
import { getJson, seededKey, signIn } from './support/fleetHelpers';

describe('REST API', () => {
  let server: FleetServer;
  let alice: string;
  let bob: string;

  before(async () => {
    server = await startFleetServer({ scaleMachines: 450 });
    [alice, bob] = await Promise.all([
      signIn(server, 'alice@acme.test', 'alice-pass').then((s) => s.tokens.access_token),
      signIn(server, 'bob@acme.test', 'bob-pass').then((s) => s.tokens.access_token),
    ]);
  });
  after(async () => server?.close());

  it('lists machines online first, then by name, with exact field names', async () => {
    const { status, body } = await getJson(server, '/api/fleets/acme-prod/machines/', alice);
    assert.equal(status, 200);
    assert.equal(body.count, 3);
    assert.equal(body.has_next, false);
    assert.deepEqual(
      body.results.map((m: { hostname: string }) => m.hostname),
      ['db-1', 'web-1', 'batch-1'],
    );
    const web = body.results[1];
    assert.deepEqual(Object.keys(web).sort(), ['agent_version', 'hostname', 'id', 'is_online', 'last_seen', 'name', 'os', 'status'].sort());
    assert.equal(web.is_online, true);
    assert.equal(web.status, 'online');
    assert.equal(body.results[2].status, 'offline');
    assert.equal(body.results[2].last_seen, '2025-01-15T08:30:00.000Z');
  });

  it('pages a large fleet stably and filters by name', async () => {
    const page1 = await getJson(server, '/api/fleets/scale-10k/machines/?page=1&page_size=200', alice);
    const page3 = await getJson(server, '/api/fleets/scale-10k/machines/?page=3&page_size=200', alice);
    assert.equal(page1.body.count, 450);
    assert.equal(page1.body.results.length, 200);
    assert.equal(page1.body.has_next, true);
    assert.equal(page3.body.results.length, 50);
    assert.equal(page3.body.has_next, false);
    assert.equal(page1.body.results[0].hostname, 'node-001');
    assert.equal(page3.body.results[49].hostname, 'node-450');
    const again = await getJson(server, '/api/fleets/scale-10k/machines/?page=1&page_size=200', alice);
    assert.deepEqual(
      again.body.results.map((m: { id: string }) => m.id),
      page1.body.results.map((m: { id: string }) => m.id),
    );

    const clamped = await getJson(server, '/api/fleets/scale-10k/machines/?page_size=1000', alice);
    assert.equal(clamped.body.results.length, 200, 'page_size is capped at 200');
    const filtered = await getJson(server, '/api/fleets/scale-10k/machines/?search=node-44&page_size=5', alice);
    assert.equal(filtered.body.count, 10, 'node-440..449');
    assert.deepEqual(
      filtered.body.results.map((m: { name: string }) => m.name),
      ['node-440', 'node-441', 'node-442', 'node-443', 'node-444'],
    );
    const everyHundred = await getJson(server, '/api/fleets/scale-10k/machines/?search=44', alice);
    assert.equal(everyHundred.body.count, 14, 'node-044, 144, 244, 344 and node-440..449');
    assert.equal(filtered.body.has_next, true);
    const beyond = await getJson(server, '/api/fleets/scale-10k/machines/?page=99', alice);
    assert.deepEqual([beyond.status, beyond.body.results.length, beyond.body.has_next], [200, 0, false]);
    const bad = await getJson(server, '/api/fleets/scale-10k/machines/?page=0', alice);
    assert.equal(bad.status, 400);
    assert.match(bad.body.detail, /page must be a positive integer/);
  });

  it('says why a credential is refused', async () => {
    const cases: [string | undefined, RegExp][] = [
      [undefined, /missing credentials/],
      [seededKey(server, 'acme-prod', 'old-deploy'), /^API key revoked/],
      [seededKey(server, 'acme-prod', 'expired-key'), /^API key expired/],
      ['not-a-real-token', /invalid access token/],
    ];
    for (const [token, detail] of cases) {
      const { status, body } = await getJson(server, '/api/fleets/', token);
      assert.equal(status, 401, String(detail));
      assert.match(body.detail, detail);
    }
    const basic = await fetch(`${server.apiUrl}/api/whoami`, { headers: { authorization: 'Basic abc' } });
    assert.equal(basic.status, 401);
    assert.match(((await basic.json()) as { detail: string }).detail, /malformed authorization/);
  });

  it("lists fleets per caller, with each fleet's relay", async () => {
    const mine = await getJson(server, '/api/fleets/', alice);
    assert.deepEqual(
      mine.body.map((f: { id: string; role: string; relay: string }) => [f.id, f.role, f.relay]),
      [
        ['acme-prod', 'Owner', server.defaultRelay],
        ['acme-staging', 'Admin', server.relays['acme-staging']],
        ['partner-lab', 'Guest', server.defaultRelay],
        ['scale-10k', 'Member', server.defaultRelay],
      ],
    );
    assert.notEqual(server.relays['acme-staging'], server.defaultRelay);
    const keyView = await getJson(server, '/api/fleets/', seededKey(server, 'acme-staging', 'staging-ci'));
    assert.deepEqual(keyView.body, [{ id: 'acme-staging', name: 'Acme Staging', role: 'Member', relay: server.relays['acme-staging'] }]);
    const whoami = await getJson(server, '/api/whoami', seededKey(server, 'acme-staging', 'staging-ci'));
    assert.deepEqual(whoami.body.fleet, { id: 'acme-staging', name: 'Acme Staging', relay: server.relays['acme-staging'] });
    assert.equal(whoami.body.key.prefix, seededKey(server, 'acme-staging', 'staging-ci').slice(0, 12));
  });

  it('enforces membership, fleet isolation and admin-only key listing', async () => {
    const notMember = await getJson(server, '/api/fleets/partner-lab/machines/', bob);
    assert.equal(notMember.status, 403);
    assert.match(notMember.body.detail, /bob@acme.test is not a member of fleet partner-lab/);
    const otherFleetKey = await getJson(server, '/api/fleets/acme-prod/machines/', seededKey(server, 'partner-lab', 'lab-bot'));
    assert.equal(otherFleetKey.status, 403);
    assert.match(otherFleetKey.body.detail, /belongs to fleet partner-lab/);
    const unknown = await getJson(server, '/api/fleets/nope/machines/', alice);
    assert.equal(unknown.status, 404);

    const memberKeys = await getJson(server, '/api/fleets/acme-prod/api-keys/', bob);
    assert.equal(memberKeys.status, 403);
    assert.match(memberKeys.body.detail, /Owner or Admin/);
    const guestKeys = await getJson(server, '/api/fleets/partner-lab/api-keys/', alice);
    assert.equal(guestKeys.status, 403);

    const ownerKeys = await getJson(server, '/api/fleets/acme-prod/api-keys/', alice);
    assert.equal(ownerKeys.status, 200);
    assert.deepEqual(
      ownerKeys.body.map((k: { name: string; revoked: boolean; expires_at: string | null }) => [k.name, k.revoked, k.expires_at]),
      [
        ['ci-deploy', false, null],
        ['nightly', false, '2099-01-01T00:00:00.000Z'],
        ['old-deploy', true, null],
        ['expired-key', false, '2024-12-31T23:59:59.000Z'],
      ],
    );
    const serialized = JSON.stringify(ownerKeys.body);
    for (const key of server.seed.fleets.flatMap((f) => f.api_keys)) assert.ok(!serialized.includes(key.secret), 'secrets never listed');
    const adminKeys = await getJson(server, '/api/fleets/acme-staging/api-keys/', alice);
    assert.deepEqual(
      adminKeys.body.map((k: { name: string }) => k.name),
      ['staging-ci'],
    );
  });
});
