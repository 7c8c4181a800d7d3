// Machines are reached whatever their hostname (Cyrillic, Korean), and a command whose session someone else
// closed ends as an error with that reason, never as exit code 0: through the UI, against real agents and shells.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'node:test';
import { DEFAULT_SEED_PATH, type Seed } from '../../fleet-server/src/index';
import { call, relayClient } from '../protocol/support/relayClient';
import { useWorkbench, waitFor } from './harness';
import { treeContextAction } from './flows/contextMenu';
import { fleetOf, fleetSession, seededKey } from './flows/fleetSession';
import { runCommandFromTree } from './flows/runCommand';

const VIEW = 'Machines';
const STATUS = 'cmdop.status';
const CYRILLIC = 'сервер-1';
const KOREAN = '웹-서버';

/** The seeded fleets plus two online machines of acme-prod with non-ASCII hostnames. */
function seedWithNonAsciiHostnames(): string {
  const seed = JSON.parse(readFileSync(DEFAULT_SEED_PATH, 'utf8')) as Seed;
  const fleet = seed.fleets.find((f) => f.id === 'acme-prod')!;
  for (const hostname of [CYRILLIC, KOREAN]) fleet.machines.push({ ...fleet.machines[0], hostname, name: hostname, online: true });
  const path = join(mkdtempSync(join(tmpdir(), 'cmdop-hostnames-')), 'seed.json');
  writeFileSync(path, JSON.stringify(seed));
  return path;
}

describe('any hostname, and truthful exit codes', () => {
  const ui = useWorkbench(() => fleetSession('any-hostname', { fleet: { seedPath: seedWithNonAsciiHostnames() } }));

  ui.test(
    `Open Shell on ${CYRILLIC} runs a shell there`,
    async (wb, session) => {
      await wb.statusBar.waitForText(STATUS, 'CMDOP: Sign in', 60_000);
      await wb.runCommand('CMDOP: Add Fleet API Key');
      await wb.quickInput.answer(seededKey(session, 'acme-prod', 'ci-deploy'));
      await wb.statusBar.waitForText(STATUS, /API key \(stored\)$/, 30_000);
      await wb.views.openContainer('CMDOP');
      await wb.views.expandTreeItem(VIEW, 'Acme Production');
      await treeContextAction(session, VIEW, CYRILLIC, 'Open Shell');
      await wb.terminal.waitForName(`CMDOP: ${CYRILLIC}`, 20_000);
      await wb.terminal.waitForText(/[#$] ?$/m, 30_000);
      await wb.terminal.sendLine('echo "shell=$HOSTNAME-$((2*3))"');
      const text = await wb.terminal.waitForText(`shell=${CYRILLIC}-6`, 30_000);
      assert.doesNotMatch(text, /Metadata string value/);
    },
    { timeout: 180_000 },
  );

  ui.test(
    `Run Command… on ${KOREAN} gives its output and exit code`,
    async (_wb, session) => {
      const text = await runCommandFromTree(session, KOREAN, 'echo "on=$HOSTNAME"; exit 3', 3);
      assert.match(text, new RegExp(`on=${KOREAN}`));
      assert.match(text, new RegExp(`\\[${KOREAN}: exit code 3\\]`));
    },
    { timeout: 120_000 },
  );

  ui.test(
    'a command whose session is closed from outside (as by an administrator) ends as an error with the reason, not exit code 0',
    async (wb, session) => {
      const fleet = fleetOf(session);
      const runningSleeps = () => fleet.sessions('acme-prod').filter((s) => s.command === 'sleep 300' && s.state === 'running');
      await treeContextAction(session, VIEW, 'db-1', 'Run Command…');
      await wb.quickInput.waitOpen();
      await wb.quickInput.type('sleep 300');
      await wb.quickInput.submit();
      await wb.terminal.waitForName('CMDOP: db-1', 20_000);
      const [running] = await waitFor('the command session on the relay', () => (runningSleeps().length ? runningSleeps() : undefined), {
        timeoutMs: 30_000,
      });
      const relay = relayClient(fleet.relays['acme-prod']);
      try {
        const meta = { token: seededKey(session, 'acme-prod', 'ci-deploy'), fleet: 'acme-prod', agent: 'db-1' };
        await call(relay, 'CloseSession', { session_id: running.id, reason: 'closed by an administrator', force: true }, meta);
      } finally {
        relay.close();
      }
      const text = await wb.terminal.waitForText(/ended before the command did/, 30_000);
      assert.match(text, /The session on db-1 ended before the command did \(closed[^)]*\); its exit code is unknown\./);
      assert.doesNotMatch(text, /exit code 0/);
    },
    { timeout: 120_000 },
  );
});
