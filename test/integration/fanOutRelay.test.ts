// The fan-out engine over the real relay, in both server modes (this project's extensions, and
// --upstream-only where commands are typed between exit-code markers): exit codes through the same path as
// Run Command, one channel for every machine, and cancel ending every session on the server.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFleetServer, type FleetServer } from '../../fleet-server/src/index';
import { FanOut } from '../../src/core/fanOut/fanOut';
import { groupOutputs } from '../../src/core/fanOut/grouping';
import { RelaySessionRunner } from '../../src/core/fanOut/relayRunner';
import { RelayClient } from '../../src/core/relay/relayClient';

for (const mode of ['extensions', 'upstream-only'] as const) {
  describe(`fan-out over the relay, fleet server with ${mode}`, () => {
    let server: FleetServer;
    let client: RelayClient;

    before(async () => {
      server = await startFleetServer({ upstreamOnly: mode === 'upstream-only' });
      const secret = server.seed.fleets.find((f) => f.id === 'acme-prod')!.api_keys.find((k) => k.name === 'ci-deploy')!.secret;
      client = new RelayClient({
        address: server.relays['acme-prod'],
        fleetId: 'acme-prod',
        fleetName: 'Acme Production',
        credential: { kind: 'apiKey', source: 'setting', secret, fleetId: 'acme-prod' },
      });
    });
    after(async () => {
      client?.close();
      await server?.close();
    });

    it('each machine has its own exit code and output; offline ones are listed as skipped', async () => {
      const fanOut = new FanOut({
        command: 'echo $HOSTNAME; test "$HOSTNAME" = web-1',
        targets: ['web-1', 'db-1'],
        skipped: [{ hostname: 'batch-1', reason: 'offline' }],
        runner: new RelaySessionRunner(client),
        concurrency: 16,
        timeoutMs: 30_000,
      });
      const results = await fanOut.done;
      const byHost = Object.fromEntries(results.map((r) => [r.hostname, r]));
      assert.equal(byHost['web-1'].exitCode, 0);
      assert.equal(byHost['web-1'].output.trim(), 'web-1');
      assert.equal(byHost['db-1'].exitCode, 1);
      assert.equal(byHost['db-1'].outcome, 'failed');
      assert.equal(byHost['db-1'].output.trim(), 'db-1');
      assert.equal(byHost['batch-1'].outcome, 'skipped');
    });

    it('identical outputs group across machines', async () => {
      const results = await new FanOut({
        command: 'uname -s',
        targets: ['web-1', 'db-1'],
        runner: new RelaySessionRunner(client),
        concurrency: 2,
        timeoutMs: 30_000,
      }).done;
      const { majority } = groupOutputs(results);
      assert.deepEqual(majority?.hostnames, ['db-1', 'web-1']);
      assert.equal(majority?.output.trim(), 'Linux');
    });

    it('cancel ends every running session on the server and marks the machines cancelled', async () => {
      const before = new Set(server.sessions('acme-prod').map((s) => s.id));
      const fresh = () => server.sessions('acme-prod').filter((s) => !before.has(s.id));
      const fanOut = new FanOut({
        command: 'sleep 30',
        targets: ['web-1', 'db-1'],
        runner: new RelaySessionRunner(client),
        concurrency: 2,
        timeoutMs: 0,
      });
      for (let i = 0; i < 300 && fresh().filter((s) => s.state === 'running').length < 2; i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal(fresh().filter((s) => s.state === 'running').length, 2, 'both sessions started');
      fanOut.cancel();
      const results = await fanOut.done;
      assert.deepEqual(
        results.map((r) => r.outcome),
        ['cancelled', 'cancelled'],
      );
      for (let i = 0; i < 200 && fresh().some((s) => s.state !== 'ended'); i++) await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(
        fresh().map((s) => s.state),
        ['ended', 'ended'],
      );
    });
  });
}
