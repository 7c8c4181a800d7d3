// Everyday use — the Get Started walkthrough, the "CMDOP Shell" terminal profile, the Sessions view.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { type Session, useWorkbench, waitFor } from './harness';
import { signInThroughUi } from './flows/deviceSignIn';
import { treeContextAction } from './flows/contextMenu';
import { fleetOf, fleetSession } from './flows/fleetSession';

const STATUS = 'cmdop.status';
const WALKTHROUGH = 'Get Started with CMDOP';
const SESSIONS = 'Sessions';

/** The walkthrough's step buttons: title and whether VS Code shows it as done. */
async function walkthroughSteps(session: Session): Promise<{ title: string; done: boolean }[]> {
  return session.page.locator('.getting-started-step').evaluateAll((steps) =>
    steps.map((s) => ({
      title: s.querySelector('.step-title')?.textContent?.trim() ?? '',
      // VS Code marks a done step's checkbox icon with `complete` (codicon getting-started-step-checked).
      done: !!s.querySelector('.codicon.complete, .codicon-getting-started-step-checked'),
    })),
  );
}

async function stepDone(session: Session, title: string, done: boolean): Promise<void> {
  await waitFor(`walkthrough step "${title}" ${done ? 'done' : 'not done'}`, async () => {
    const step = (await walkthroughSteps(session)).find((s) => s.title === title);
    return step && step.done === done ? true : undefined;
  });
}

describe('everyday use: walkthrough, terminal profile, sessions', () => {
  const ui = useWorkbench(() => fleetSession('everyday'));

  ui.test('the walkthrough opens from Welcome and its sign-in step turns complete after sign-in', async (wb, session) => {
    const { page } = session;
    await wb.statusBar.waitForText(STATUS, 'CMDOP: Sign in', 60_000);
    await wb.runCommand('Help: Welcome');
    const entry = page.locator('.getting-started-category', { hasText: WALKTHROUGH }).first();
    await waitFor('the CMDOP walkthrough on the Welcome page', async () => {
      if (await entry.isVisible()) return true;
      // Several walkthroughs: the rest hide behind "More…".
      const more = page
        .locator('.gettingStartedContainer .see-all-walkthroughs, .gettingStartedContainer button', { hasText: /^More/ })
        .first();
      if (await more.isVisible()) await more.click();
      return undefined;
    });
    await entry.click();
    const titles = await waitFor('the walkthrough steps', async () => {
      const steps = await walkthroughSteps(session);
      return steps.some((s) => s.title === 'Sign in to CMDOP') ? steps.map((s) => s.title) : undefined;
    });
    assert.deepEqual(titles, [
      'Sign in to CMDOP',
      'Or add a fleet API key (CI, automation)',
      'Open a shell on a machine',
      'Run on several machines',
      'Write a runbook',
    ]);
    await stepDone(session, 'Sign in to CMDOP', false);
    await signInThroughUi(session, fleetOf(session).issuer);
    await wb.statusBar.waitForText(STATUS, /OAuth$/, 30_000);
    // Signing in from the palette may have closed a walkthrough that opened as a modal overlay: reopen it.
    if ((await walkthroughSteps(session)).length === 0) await wb.runCommand('CMDOP: Get Started');
    await stepDone(session, 'Sign in to CMDOP', true);
    await stepDone(session, 'Or add a fleet API key (CI, automation)', false);
  });

  ui.test(
    '"CMDOP Shell" in the terminal\'s + menu picks a machine and opens a shell there, named after host and fleet',
    async (wb, session) => {
      const { page } = session;
      await wb.runCommand('View: Close All Editors');
      await wb.runCommand('Terminal: Create New Terminal');
      const launch = page.locator('.part.panel .action-item a.action-label[aria-label^="Launch Profile"]').first();
      await launch.waitFor({ state: 'visible', timeout: 20_000 });
      // The dropdown opens from the keyboard reliably in headless Chromium (a synthetic click only shows its hover).
      const item = page.locator('.monaco-menu .action-item:not(.disabled) .action-label', { hasText: 'CMDOP Shell' }).first();
      await waitFor('the Launch Profile menu', async () => {
        if (await item.isVisible()) return true;
        await launch.click();
        if (
          await item.waitFor({ state: 'visible', timeout: 2_000 }).then(
            () => true,
            () => false,
          )
        )
          return true;
        await launch.focus();
        await page.keyboard.press('Enter');
        if (
          await item.waitFor({ state: 'visible', timeout: 2_000 }).then(
            () => true,
            () => false,
          )
        )
          return true;
        await page.keyboard.press('Escape');
        return undefined;
      });
      // force: the menu can keep sliding into place while the panel settles, and Playwright waits for it to stand still.
      await item.hover({ force: true });
      await page.keyboard.press('Enter');
      await wb.quickInput.waitOpen();
      await wb.quickInput.fill('db');
      await wb.quickInput.pick(/db-1/);
      const name = await wb.terminal.waitForName('CMDOP: db-1 (Acme Production)', 30_000);
      assert.equal(name, 'CMDOP: db-1 (Acme Production)');
      await wb.terminal.select('CMDOP: db-1 (Acme Production)');
      await wb.terminal.waitForText(/[#$]\s*$/, 20_000);
      await wb.terminal.sendLine('echo profile-$((20+22)) $HOSTNAME');
      await wb.terminal.waitForText(/^profile-42 db-1$/m, 20_000);
    },
  );

  ui.test("the walkthrough's shell step is complete once a shell opened", async (wb, session) => {
    await wb.runCommand('CMDOP: Get Started');
    await stepDone(session, 'Sign in to CMDOP', true);
    await stepDone(session, 'Open a shell on a machine', true);
    await stepDone(session, 'Run on several machines', false);
  });

  ui.test("the Sessions view lists web-1's shared session; Attach from two terminals shows the same shell", async (wb, session) => {
    await wb.views.openContainer('CMDOP');
    const row = await wb.views.waitForTreeItem(SESSIONS, 'web-1');
    assert.match(row.description, /^shared/);
    await treeContextAction(session, SESSIONS, 'web-1', 'Attach to Session');
    await wb.terminal.waitForName('CMDOP: web-1 (Acme Production) · attached', 30_000);
    await wb.terminal.waitForText(/[#$]\s*$/, 20_000);
    await wb.terminal.sendLine('echo shared-$((6*7))');
    await wb.terminal.waitForText(/^shared-42$/m, 20_000);
    // A second terminal attached to the same session replays what the first one did, then types into it.
    await treeContextAction(session, SESSIONS, 'web-1', 'Attach to Session');
    await waitFor('two attached terminals', async () => {
      const names = (await wb.terminal.names()).filter((n) => n === 'CMDOP: web-1 (Acme Production) · attached');
      return names.length === 2 ? true : undefined;
    });
    await wb.terminal.waitForText(/^shared-42$/m, 20_000);
    await wb.terminal.sendLine('echo second-$((1+1))');
    await wb.terminal.waitForText(/^second-2$/m, 20_000);
    // The view picks up on its own, within an interval, that web-1's shell now runs.
    await waitFor(
      'web-1 shown with its shell running',
      async () => (/shell running/.test((await wb.views.waitForTreeItem(SESSIONS, 'web-1')).description) ? true : undefined),
      { timeoutMs: 40_000 },
    );
  });

  ui.test('Close Session ends the shared session: the attached terminals say so', async (wb, session) => {
    await treeContextAction(session, SESSIONS, 'web-1', 'Close Session');
    await wb.dialogs.waitOpen(10_000);
    await wb.dialogs.clickButton('End Session');
    const text = await wb.terminal.waitForText(/Press any key to close/, 20_000);
    assert.match(text, /\[web-1: /);
    await waitFor('no running session left on web-1', async () =>
      fleetOf(session)
        .sessions('acme-prod')
        .some((s) => s.hostname === 'web-1' && s.state === 'running')
        ? undefined
        : true,
    );
  });

  ui.test('a Guest attaches read-only: typing is refused in the terminal with a clear line', async (wb, session) => {
    await wb.runCommand('CMDOP: Switch Fleet');
    await wb.quickInput.pick(/Partner Lab/);
    await wb.statusBar.waitForText(STATUS, /^Partner Lab/, 15_000);
    await wb.views.waitForTreeItem(SESSIONS, 'lab-1');
    await treeContextAction(session, SESSIONS, 'lab-1', 'Attach to Session');
    await wb.terminal.waitForName('CMDOP: lab-1 (Partner Lab) · read-only', 30_000);
    await wb.terminal.waitForText(/[#$]\s*$/, 20_000);
    await wb.terminal.sendLine('echo guest-$((2+3))');
    const text = await wb.terminal.waitForText(/Read-only: you are a Guest in fleet Partner Lab, so your input is not sent/, 20_000);
    assert.doesNotMatch(text, /^guest-5$/m, "the Guest's command never ran");
  });
});
