// The identity provider refuses the session (the account's grants revoked at the server): every window shows
// signed out on its own, and CMDOP: Sign In starts a new device flow at once, also when no window noticed yet.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { Page } from 'playwright-core';
import { type Workbench, useWorkbench, waitFor } from './harness';
import { approveInBrowser, startSignIn } from './flows/deviceSignIn';
import { fleetOf, fleetSession } from './flows/fleetSession';

const STATUS = 'cmdop.status';
const VIEW = 'Machines';
const SIGNED_OUT = /^CMDOP: Sign in$/;
const SIGNED_IN = /· OAuth$/;

async function waitForStatus(wb: Workbench, expected: RegExp, what: string, timeoutMs = 60_000): Promise<number> {
  return waitFor(
    `${what} to show ${expected}`,
    async () => (expected.test((await wb.statusBar.text(STATUS)) ?? '') ? Date.now() : undefined),
    {
      timeoutMs,
      intervalMs: 100,
    },
  );
}

describe('a session the identity provider refuses', () => {
  const ui = useWorkbench(() => fleetSession('session-refused'));
  let b: { page: Page; wb: Workbench };

  ui.test(
    'signed in in both windows',
    async (wb, session) => {
      b = await session.openWindow();
      await waitForStatus(wb, SIGNED_OUT, 'window A');
      await waitForStatus(b.wb, SIGNED_OUT, 'window B');
      const code = await startSignIn(session);
      await (await approveInBrowser(session, fleetOf(session).issuer, code)).close();
      await waitForStatus(wb, SIGNED_IN, 'window A');
      await waitForStatus(b.wb, SIGNED_IN, 'window B');
    },
    { timeout: 180_000 },
  );

  ui.test(
    'revoked at the server: both windows show signed out with no click, and Sign In shows a new user code',
    async (wb, session) => {
      const fleet = fleetOf(session);
      // Window A shows its machines (as someone at work would): its presence refresh is what meets the refusal.
      await session.page.bringToFront();
      await wb.views.openContainer('CMDOP');
      await wb.views.expandTreeItem(VIEW, 'Acme Production');
      await wb.views.waitForTreeItem(VIEW, 'web-1', 30_000);
      const { tokensRevoked } = fleet.faults.revokeAccount('alice@acme.test');
      assert.ok(tokensRevoked >= 1, 'the session had tokens to revoke');
      const revokedAt = Date.now();
      const aAt = await waitForStatus(wb, SIGNED_OUT, 'window A');
      const bAt = await waitForStatus(b.wb, SIGNED_OUT, 'window B');
      process.stdout.write(
        `# session-refused: window A signed out ${aAt - revokedAt} ms after the revocation, window B ${bAt - revokedAt} ms\n`,
      );
      const code = await startSignIn(session);
      assert.match(code, /^[A-Z0-9-]+$/);
      await (await approveInBrowser(session, fleet.issuer, code)).close();
      await waitForStatus(wb, SIGNED_IN, 'window A');
      await waitForStatus(b.wb, SIGNED_IN, 'window B');
    },
    { timeout: 180_000 },
  );

  ui.test(
    'revoked while no window uses the session: Sign In finds it dead and starts the device flow at once',
    async (wb, session) => {
      const fleet = fleetOf(session);
      // Nothing polls: both windows show the Explorer, so no call meets the refusal before Sign In.
      await wb.views.openContainer('Explorer');
      await b.wb.views.openContainer('Explorer');
      fleet.faults.revokeAccount('alice@acme.test');
      assert.match((await wb.statusBar.text(STATUS)) ?? '', SIGNED_IN, 'no window noticed yet');
      const code = await startSignIn(session);
      await waitForStatus(b.wb, SIGNED_OUT, 'window B');
      await (await approveInBrowser(session, fleet.issuer, code)).close();
      await waitForStatus(wb, SIGNED_IN, 'window A');
      await waitForStatus(b.wb, SIGNED_IN, 'window B');
      await b.page.close();
    },
    { timeout: 180_000 },
  );
});
