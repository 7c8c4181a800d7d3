// Issue: sign-in and credentials, as a user sees them in code-server against the local fleet server.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe } from 'node:test';
import { type Session, useWorkbench, waitFor } from './harness';
import { approveInBrowser, startSignIn } from './flows/deviceSignIn';
import { fleetOf, fleetSession, seededKey } from './flows/fleetSession';
import { clearNotices, closeCenter, notices, waitForNotice } from './flows/notices';

const STATUS = 'cmdop.status';

/** Every file under `dir` whose bytes contain `needle` (binary-safe: SQLite state files are grepped too). */
function filesContaining(dir: string, needle: string): string[] {
  const hits: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const s = statSync(p);
      if (s.isDirectory()) walk(p);
      else if (s.isFile() && s.size < 50 * 1024 * 1024 && readFileSync(p).includes(needle)) hits.push(p);
    }
  };
  if (existsSync(dir)) walk(dir);
  return hits;
}

async function accountsMenu(session: Session): Promise<string[]> {
  const { page } = session;
  await page.locator('.activitybar .action-item .codicon-accounts-view-bar-icon').first().click();
  const labels = await waitFor('the accounts menu', async () => {
    const entries = await session.wb.views.menuEntries();
    return entries.length ? entries : undefined;
  });
  await page.keyboard.press('Escape');
  return labels;
}

describe('sign-in: OAuth device flow from the command palette', () => {
  const ui = useWorkbench(() => fleetSession('signin'));

  ui.test('CMDOP: Sign In shows a user code; approving it in a second page signs in with OAuth', async (wb, session) => {
    assert.equal(await wb.statusBar.waitForText(STATUS, /CMDOP/, 60_000), 'CMDOP: Sign in');
    const code = await startSignIn(session);
    assert.match(code, /^[A-Z0-9]{4}-?[A-Z0-9]{4}$/);
    const approval = await approveInBrowser(session, fleetOf(session).issuer, code);
    assert.match(await approval.locator('#success').innerText(), /Sign-in complete/);
    await approval.close();
    const text = await wb.statusBar.waitForText(STATUS, /· OAuth$/, 30_000);
    assert.match(text, /^Acme (Production|Staging)|^Partner Lab/);
  });

  ui.test('the status bar tooltip shows identity, fleet, role and expiry', async (wb, session) => {
    await wb.statusBar.item(STATUS).hover();
    const hover = session.page.locator('.monaco-hover, .workbench-hover').filter({ hasText: 'alice@acme.test' }).first();
    await hover.waitFor({ state: 'visible', timeout: 10_000 });
    const text = await hover.innerText();
    assert.match(text, /Fleet: /);
    assert.match(text, /Role: (Owner|Admin|Guest)/);
    assert.match(text, /Credential: OAuth/);
    assert.match(text, /Expires: (?!never)/);
    await session.page.mouse.move(700, 300);
  });

  ui.test('the Accounts menu lists the signed-in user', async (_wb, session) => {
    const entries = await accountsMenu(session);
    assert.ok(
      entries.some((e) => e.includes('alice@acme.test')),
      `accounts menu: ${JSON.stringify(entries)}`,
    );
  });

  ui.test('after a window reload the user is still signed in and nothing asks to sign in again', async (wb, session) => {
    await wb.reload();
    const text = await wb.statusBar.waitForText(STATUS, /· OAuth$/, 60_000);
    assert.match(text, /OAuth/);
    await new Promise((r) => setTimeout(r, 1500));
    const listed = await notices(session);
    await closeCenter(session);
    assert.ok(!listed.some((t) => /sign-in code|Sign in/i.test(t.message)), `unexpected prompts: ${JSON.stringify(listed)}`);
    assert.equal(await wb.dialogs.isOpen(), false);
  });

  ui.test("the status bar click offers the user's fleets; picking the Guest fleet switches to it", async (wb) => {
    await wb.statusBar.click(STATUS);
    await wb.quickInput.waitOpen();
    const labels = await wb.quickInput.labels();
    for (const name of ['Acme Production', 'Acme Staging', 'Partner Lab']) {
      assert.ok(
        labels.some((l) => l.includes(name)),
        `switcher offered ${JSON.stringify(labels)}`,
      );
    }
    await wb.quickInput.pick(/Partner Lab/);
    assert.equal(await wb.statusBar.waitForText(STATUS, /^Partner Lab/, 15_000), 'Partner Lab · OAuth');
  });

  ui.test('CMDOP: Sign Out returns to "CMDOP: Sign in" and the welcome view', async (wb) => {
    await wb.runCommand('CMDOP: Sign Out');
    assert.equal(await wb.statusBar.waitForText(STATUS, 'CMDOP: Sign in', 15_000), 'CMDOP: Sign in');
    await wb.views.openContainer('CMDOP');
    await wb.views.waitForWelcomeText('Machines', 'Sign in to CMDOP');
  });
});

describe('sign-in: a key in CMDOP_API_KEY', () => {
  let key = '';
  const ui = useWorkbench(async () => {
    // The key must be known before code-server starts, so read it from the seed file.
    const seed = JSON.parse(readFileSync(join(__dirname, '..', '..', 'fleet-server', 'seed.json'), 'utf8'));
    key = seed.fleets
      .find((f: { id: string }) => f.id === 'acme-staging')
      .api_keys.find((k: { name: string }) => k.name === 'staging-ci').secret;
    return fleetSession('env-key', { env: { CMDOP_API_KEY: key } });
  });

  ui.test('the status bar shows the key\'s fleet with "API key (env)"', async (wb) => {
    assert.equal(await wb.statusBar.waitForText(STATUS, /API key/, 60_000), 'Acme Staging · API key (env)');
  });

  ui.test('the env key appears nowhere on disk: settings, globalState, logs', async (_wb, session) => {
    assert.deepEqual(filesContaining(session.server.userDataDir, key), []);
  });
});

describe('sign-in: adding a fleet API key', () => {
  const ui = useWorkbench(() => fleetSession('add-key'));

  ui.test('a malformed key is refused in the input box with what to do, and nothing is stored', async (wb) => {
    await wb.statusBar.waitForText(STATUS, 'CMDOP: Sign in', 60_000);
    await wb.runCommand('CMDOP: Add Fleet API Key');
    await wb.quickInput.waitOpen();
    await wb.quickInput.fill('not-a-key');
    await waitFor('the validation message', async () =>
      (await wb.quickInput.message()).includes('starts with "cmdop_"') ? true : undefined,
    );
    await wb.quickInput.cancel();
    assert.equal(await wb.statusBar.text(STATUS), 'CMDOP: Sign in');
  });

  ui.test("a revoked key is refused with the server's reason and nothing is stored", async (wb, session) => {
    await wb.runCommand('CMDOP: Add Fleet API Key');
    await wb.quickInput.answer(seededKey(session, 'acme-prod', 'old-deploy'));
    const notice = await waitForNotice(session, /was refused/, 20_000);
    assert.equal(notice.severity, 'error');
    assert.match(notice.message, /revoked/i);
    assert.match(notice.message, /Nothing was stored/);
    await clearNotices(session);
    await closeCenter(session);
    assert.equal(await wb.statusBar.text(STATUS), 'CMDOP: Sign in');
  });

  ui.test(
    'a good key is stored: the status bar shows its fleet with "API key (stored)" and warns it never expires',
    async (wb, session) => {
      await wb.runCommand('CMDOP: Add Fleet API Key');
      await wb.quickInput.answer(seededKey(session, 'acme-prod', 'ci-deploy'));
      assert.equal(await wb.statusBar.waitForText(STATUS, /API key/, 20_000), 'Acme Production · API key (stored)');
      const warning = await waitForNotice(session, /never expires/, 10_000);
      assert.equal(warning.severity, 'warning');
    },
  );

  ui.test('no secret in settings, globalState, the CMDOP log or notifications', async (_wb, session) => {
    const secret = seededKey(session, 'acme-prod', 'ci-deploy');
    const revoked = seededKey(session, 'acme-prod', 'old-deploy');
    for (const s of [secret, revoked]) {
      assert.deepEqual(filesContaining(session.server.userDataDir, s), [], 'secret found on disk');
      assert.ok(!session.extensionLog().includes(s), 'secret in the CMDOP log');
      assert.ok(!(await notices(session)).some((t) => t.message.includes(s)), 'secret in a notification');
    }
    assert.match(session.extensionLog(), /Activated in/, 'the log was read (the check above could fail)');
  });

  ui.test("Remove Fleet API Key shows the key's expiry and last use, asks, and signs the fleet out", async (wb) => {
    await wb.runCommand('CMDOP: Remove Fleet API Key');
    const item = await wb.quickInput.waitForItem(/Acme Production/, 15_000);
    assert.equal(item.description, 'ci-deploy');
    assert.match(item.detail, /^never expires · last used /);
    await wb.quickInput.pick(/Acme Production/);
    const dialog = await wb.dialogs.waitOpen(10_000);
    assert.match(dialog.message, /Remove the stored key "ci-deploy"/);
    await wb.dialogs.clickButton('Remove');
    assert.equal(await wb.statusBar.waitForText(STATUS, 'CMDOP: Sign in', 15_000), 'CMDOP: Sign in');
  });
});
