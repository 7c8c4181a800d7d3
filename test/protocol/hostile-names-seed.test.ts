// The --hostile-names seed option (this project's addition, for client tests): acme-prod also lists a machine
// whose name holds a command link, a codicon, terminal escapes and a bidi override (online, with a working
// shell whose $HOSTNAME is the name as it is) and one whose name is 300 characters; the API lists both as given.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HOSTILE_HOSTNAME, LONG_HOSTNAME, startFleetServer, type FleetServer } from '../../fleet-server/src/index';
import { getJson, seededKey } from './support/fleetHelpers';
import { call, readOutputStream, relayClient, type CallMeta, type RelayClient } from './support/relayClient';

describe('the hostile-names seed', () => {
  let server: FleetServer;
  let relay: RelayClient;
  let meta: CallMeta;

  before(async () => {
    server = await startFleetServer({ hostileNames: true });
    relay = relayClient(server.relays['acme-prod']);
    meta = { token: seededKey(server, 'acme-prod', 'ci-deploy'), fleet: 'acme-prod' };
  });
  after(async () => {
    relay?.close();
    await server?.close();
  });

  it('the API lists both machines with their names unchanged; the seeded fleets are otherwise as before', async () => {
    const { body } = (await getJson(server, '/api/fleets/acme-prod/machines/?page_size=100', meta.token)) as {
      body: { results: { hostname: string; name: string; is_online: boolean }[] };
    };
    const byName = new Map(body.results.map((m) => [m.hostname, m]));
    assert.equal(byName.get(HOSTILE_HOSTNAME)?.is_online, true);
    assert.equal(byName.get(HOSTILE_HOSTNAME)?.name, HOSTILE_HOSTNAME);
    assert.equal(byName.get(LONG_HOSTNAME)?.is_online, false);
    assert.equal(LONG_HOSTNAME.length, 300);
    assert.ok(byName.has('web-1') && byName.has('db-1'));
    assert.ok(!server.seed.fleets.filter((f) => f.id !== 'acme-prod').some((f) => f.machines.some((m) => m.hostname === HOSTILE_HOSTNAME)));
  });

  it('a shell on the hostile machine works and $HOSTNAME is the name as it is', async () => {
    const listed = await call(relay, 'ListSessions', { limit: 1000 }, meta);
    const machine = listed.sessions.find((s: { machine_hostname: string }) => s.machine_hostname === HOSTILE_HOSTNAME);
    assert.ok(machine, 'the hostile machine has a session');
    const seen = readOutputStream(relay, machine.session_id, meta, { until: (text) => /host-ends-with-RTL/.test(text.toString()) });
    await call(
      relay,
      'SendInput',
      { session_id: machine.session_id, data: Buffer.from('case "$HOSTNAME" in *RTL) echo host-ends-with-"RTL";; esac\n') },
      meta,
    );
    assert.match((await seen).output.toString(), /host-ends-with-RTL/);
  });
});
