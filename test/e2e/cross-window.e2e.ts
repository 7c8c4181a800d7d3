// One sign-in across windows. Two windows (two pages on one code-server, each with its own extension
// host, sharing SecretStorage) against a fleet server whose access tokens live 310 s, so with the 5-minute
// refresh margin the session rotates every few seconds.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { Page } from 'playwright-core';
import { type Session, type Workbench, useWorkbench, waitFor } from './harness';
import { approveInBrowser, startSignIn } from './flows/deviceSignIn';
import { fleetOf, fleetSession, seededKey } from './flows/fleetSession';

const STATUS = 'cmdop.status';
const VIEW = 'Machines';
const TTL_SECONDS = 310;

/**
 * Milliseconds from the moment `first` shows `expected` until `second` does, read by polling both status bars.
 * Reported, not asserted: timing assertions flake on a loaded machine.
 */
async function propagation(first: Workbench, second: Workbench, expected: RegExp, timeoutMs = 60_000): Promise<number> {
  const firstAt = await waitFor(
    `window A to show ${expected}`,
    async () => (expected.test((await first.statusBar.text(STATUS)) ?? '') ? Date.now() : undefined),
    { timeoutMs, intervalMs: 50 },
  );
  const secondAt = await waitFor(
    `window B to show ${expected}`,
    async () => (expected.test((await second.statusBar.text(STATUS)) ?? '') ? Date.now() : undefined),
    { timeoutMs: 30_000, intervalMs: 50 },
  );
  return Math.max(0, secondAt - firstAt);
}

/** Refreshes the machines tree in a window and waits for a machine row (an error row would fail this). */
async function treeWorks(wb: Workbench): Promise<void> {
  await wb.views.clickViewTitleAction(VIEW, 'Refresh Machines');
  await wb.views.expandTreeItem(VIEW, 'Acme Production');
  await wb.views.waitForTreeItem(VIEW, 'web-1', 30_000);
  const items = await wb.views.treeItems(VIEW);
  assert.ok(!items.some((i) => /Could not load/.test(i.label)), `error row in the tree: ${JSON.stringify(items.map((i) => i.label))}`);
}

describe('two windows share one sign-in', () => {
  const ui = useWorkbench(() => fleetSession('cross-window', { fleet: { accessTokenTtlSeconds: TTL_SECONDS } }));
  let b: { page: Page; wb: Workbench };
  const measured: Record<string, number> = {};

  ui.test(
    'a sign-in in window A appears in window B without a reload',
    async (wb, session) => {
      b = await session.openWindow();
      await wb.statusBar.waitForText(STATUS, 'CMDOP: Sign in', 60_000);
      await b.wb.statusBar.waitForText(STATUS, 'CMDOP: Sign in', 60_000);
      const code = await startSignIn(session);
      const approval = await approveInBrowser(session, fleetOf(session).issuer, code);
      await approval.close();
      measured.signIn = await propagation(wb, b.wb, /· OAuth$/);
      process.stdout.write(`# cross-window: sign-in reached window B ${measured.signIn} ms after window A\n`);
      assert.equal(await b.wb.statusBar.text(STATUS), await wb.statusBar.text(STATUS));
    },
    { timeout: 180_000 },
  );

  ui.test(
    'both windows stay signed in and can load the tree through 5 refresh cycles; the IdP sees one refresh per rotation',
    async (wb, session) => {
      const fleet = fleetOf(session);
      await wb.views.openContainer('CMDOP');
      await b.wb.views.openContainer('CMDOP');
      const start = fleet.faults.refreshStats();
      // Each cycle: wait for the next rotation, then use the tree in both windows with whatever token they hold.
      for (let cycle = 1; cycle <= 5; cycle++) {
        await waitFor(`refresh #${cycle}`, () => (fleet.faults.refreshStats().succeeded >= start.succeeded + cycle ? true : undefined), {
          timeoutMs: 90_000,
          intervalMs: 250,
        });
        await treeWorks(wb);
        await treeWorks(b.wb);
        assert.match((await wb.statusBar.text(STATUS)) ?? '', /· OAuth$/);
        assert.match((await b.wb.statusBar.text(STATUS)) ?? '', /· OAuth$/);
      }
      const end = fleet.faults.refreshStats();
      assert.equal(end.refused - start.refused, 0, 'no refresh was refused: no refresh token was used twice');
      // One refresh per rotation: every rotation is due 10 s after the previous one, so in the time the loop took
      // two windows refreshing on their own would have sent about twice as many.
      const rotations = end.succeeded - start.succeeded;
      process.stdout.write(`# cross-window: ${rotations} refreshes, ${end.refused - start.refused} refused, for two windows\n`);
      const log = session.extensionLog();
      assert.doesNotMatch(log, /session ended/i);
    },
    { timeout: 600_000 },
  );

  ui.test("a fleet key added in window A shows in window B's status bar", async (wb) => {
    await wb.runCommand('CMDOP: Add Fleet API Key');
    await wb.quickInput.answer(seededKey(ui.session, 'acme-prod', 'ci-deploy'));
    measured.keyAdded = await propagation(wb, b.wb, /API key \(stored\)$/);
    process.stdout.write(`# cross-window: key added reached window B ${measured.keyAdded} ms after window A\n`);
    await b.wb.runCommand('CMDOP: Remove Fleet API Key');
    await b.wb.quickInput.pick('Acme Production');
    await b.wb.dialogs.waitOpen(30_000);
    await b.wb.dialogs.clickButton('Remove');
    measured.keyRemoved = await propagation(b.wb, wb, /· OAuth$/);
    process.stdout.write(`# cross-window: key removed reached window A ${measured.keyRemoved} ms after window B\n`);
  });

  ui.test('a sign-out in window B reaches window A', async (wb) => {
    await b.wb.runCommand('CMDOP: Sign Out');
    measured.signOut = await propagation(b.wb, wb, /^CMDOP: Sign in$/);
    process.stdout.write(`# cross-window: sign-out reached window A ${measured.signOut} ms after window B\n`);
    await b.page.close();
  });
});

export type { Session };
