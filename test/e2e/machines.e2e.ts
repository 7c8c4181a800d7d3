// Issue: fleets and machines in the sidebar, fleet switching, commands and shells in terminals,
// against the local fleet server's real agents and shells.
import assert from 'node:assert/strict';
import { after, describe } from 'node:test';
import { type LocalFleet, type Session, startLocalFleet, useWorkbench, waitFor } from './harness';
import { signInThroughUi } from './flows/deviceSignIn';
import { treeContextAction } from './flows/contextMenu';
import { runCommandFromTree } from './flows/runCommand';
import { checkInteractiveShell } from './flows/interactiveShell';
import { fleetOf, fleetSession } from './flows/fleetSession';

const VIEW = 'Machines';
const STATUS = 'cmdop.status';

async function machineRow(session: Session, name: string) {
  const item = await session.wb.views.waitForTreeItem(VIEW, name);
  const row = session.wb.views.treeRow(VIEW, name);
  const icon = (await row.locator('.custom-view-tree-node-item-icon, .codicon').first().getAttribute('class')) ?? '';
  return { item, icon };
}

async function waitOnline(session: Session, name: string, online: boolean, timeoutMs?: number) {
  return waitFor(
    `${name} to show ${online ? 'online' : 'offline'}`,
    async () => {
      const { item, icon } = await machineRow(session, name);
      const label = `${item.ariaLabel} ${icon}`;
      return (online ? /online/.test(item.ariaLabel) && /vm-running/.test(icon) : /offline/.test(item.ariaLabel) && /vm-outline/.test(icon))
        ? label
        : undefined;
    },
    { timeoutMs },
  );
}

describe('machines: the tree, terminals and fleet switching', () => {
  const ui = useWorkbench(() => fleetSession('machines'));

  ui.test("after sign-in the tree lists the user's fleets with roles, and a fleet's machines with online/offline", async (wb, session) => {
    await wb.statusBar.waitForText(STATUS, 'CMDOP: Sign in', 60_000);
    await wb.views.openContainer('CMDOP');
    await signInThroughUi(session, fleetOf(session).issuer);
    await wb.statusBar.waitForText(STATUS, /OAuth$/, 30_000);
    const prod = await wb.views.waitForTreeItem(VIEW, 'Acme Production');
    assert.match(prod.description, /^Owner/);
    assert.match((await wb.views.waitForTreeItem(VIEW, 'Partner Lab')).description, /^Guest/);
    assert.match((await wb.views.waitForTreeItem(VIEW, 'Acme Staging')).description, /^Admin/);
    await wb.views.expandTreeItem(VIEW, 'Acme Production');
    await waitOnline(session, 'web-1', true);
    await waitOnline(session, 'db-1', true);
    await waitOnline(session, 'batch-1', false);
    assert.match((await wb.views.waitForTreeItem(VIEW, 'batch-1')).description, /^linux · /);
  });

  ui.test('live presence: stopping an agent turns its machine offline with no click; starting it brings it back', async (_wb, session) => {
    // The tree is open and Acme Production expanded from the test above; the default interval is 10 s.
    await fleetOf(session).stopMachine('acme-prod', 'web-1');
    await waitOnline(session, 'web-1', false, 30_000);
    await fleetOf(session).startMachine('acme-prod', 'web-1');
    await waitOnline(session, 'web-1', true, 30_000);
    await waitOnline(session, 'batch-1', false);
  });

  ui.test('Run Command… streams output into a terminal named after the machine and ends with the exit code', async (_wb, session) => {
    const text = await runCommandFromTree(session, 'db-1', 'uname -s; echo done; exit 3', 3);
    assert.match(text, /^Linux$/m);
    assert.match(text, /^done$/m);
    assert.match(text, /\[db-1: exit code 3\]/);
  });

  ui.test('Open Shell is interactive: arithmetic echoes, Ctrl-C interrupts sleep 100', async (wb, session) => {
    await treeContextAction(session, VIEW, 'web-1', 'Open Shell');
    await wb.terminal.waitForName('CMDOP: web-1', 20_000);
    await checkInteractiveShell(wb);
  });

  ui.test('Run Command on Machine… from the palette picks a machine, online first, and runs there', async (wb) => {
    await wb.runCommand('CMDOP: Run Command on Machine…');
    await wb.quickInput.waitOpen();
    // Until the machine picker replaces it, the palette's own list is still shown: wait for the machines.
    const labels = await waitFor('machines in the picker', async () => {
      const l = await wb.quickInput.labels();
      return l.length >= 3 && l.some((label) => label.includes('batch-1')) ? l : undefined;
    });
    const offlineAt = labels.findIndex((l) => l.includes('batch-1'));
    assert.ok(offlineAt === labels.length - 1, `offline machine listed last: ${JSON.stringify(labels)}`);
    await wb.quickInput.fill('db');
    await wb.quickInput.pick(/db-1/);
    await waitFor('the command prompt for db-1', async () =>
      (await wb.quickInput.title()).includes('Run Command on db-1') ? true : undefined,
    );
    await wb.quickInput.type('echo picked-$((3*3))');
    await wb.quickInput.submit();
    await wb.terminal.waitForText(/^picked-9$/m, 30_000);
  });

  ui.test('Filter Machines… narrows the tree by name, and an empty filter shows all again', async (wb) => {
    await wb.runCommand('CMDOP: Filter Machines…');
    await wb.quickInput.answer('db');
    await wb.views.expandTreeItem(VIEW, 'Acme Production');
    await wb.views.waitForTreeItem(VIEW, 'db-1');
    const shown = await waitFor('the filtered tree', async () => {
      const labels = (await wb.views.treeItems(VIEW)).map((i) => i.label);
      return labels.includes('web-1') ? undefined : labels;
    });
    assert.ok(!shown.includes('batch-1'), `filtered tree: ${JSON.stringify(shown)}`);
    await wb.runCommand('CMDOP: Filter Machines…');
    await wb.quickInput.answer('');
    await wb.views.expandTreeItem(VIEW, 'Acme Production');
    await wb.views.waitForTreeItem(VIEW, 'web-1');
  });

  ui.test('switching to the Guest fleet changes the status bar and the tree offers no Run Command…', async (wb, session) => {
    await wb.runCommand('CMDOP: Switch Fleet');
    await wb.quickInput.pick(/Partner Lab/);
    assert.equal(await wb.statusBar.waitForText(STATUS, /^Partner Lab/, 15_000), 'Partner Lab · OAuth');
    await waitFor(
      'Partner Lab marked active in the tree',
      async () => /^Guest · active$/.test((await wb.views.waitForTreeItem(VIEW, 'Partner Lab')).description) || undefined,
    );
    await wb.views.expandTreeItem(VIEW, 'Partner Lab');
    await wb.views.waitForTreeItem(VIEW, 'lab-1');
    await wb.views.treeRow(VIEW, 'lab-1').click({ button: 'right' });
    const entries = await waitFor('the context menu', async () => {
      const e = await wb.views.menuEntries();
      return e.length ? e : undefined;
    });
    await session.page.keyboard.press('Escape');
    assert.ok(entries.includes('Copy Hostname'), `menu: ${JSON.stringify(entries)}`);
    assert.ok(
      !entries.includes('Run Command…') && !entries.includes('Open Shell'),
      `guest menu offers running: ${JSON.stringify(entries)}`,
    );
  });

  ui.test('the shell opened in the old fleet was closed by the switch and says so', async (wb) => {
    await wb.terminal.select('CMDOP: web-1');
    const text = await wb.terminal.waitForText('The active fleet or credential changed', 10_000);
    assert.match(text, /this session was closed/);
  });

  ui.test("Set as Active Fleet on a fleet's menu marks it active in the tree and the status bar", async (wb, session) => {
    await treeContextAction(session, VIEW, 'Acme Production', 'Set as Active Fleet');
    assert.equal(await wb.statusBar.waitForText(STATUS, /^Acme Production/, 15_000), 'Acme Production · OAuth');
    await waitFor('Acme Production marked active, Partner Lab not', async () => {
      const [prod, lab] = [await wb.views.waitForTreeItem(VIEW, 'Acme Production'), await wb.views.waitForTreeItem(VIEW, 'Partner Lab')];
      return prod.description === 'Owner · active' && lab.description === 'Guest' && /active fleet/.test(prod.ariaLabel) ? true : undefined;
    });
    // The active fleet's own menu does not offer it again (it may have no menu at all: give it 5 s to appear).
    await wb.views.treeRow(VIEW, 'Acme Production').click({ button: 'right' });
    const entries = await waitFor(
      'the fleet menu',
      async () => {
        const e = await wb.views.menuEntries();
        return e.length ? e : undefined;
      },
      { timeoutMs: 5_000 },
    ).catch(() => [] as string[]);
    await session.page.keyboard.press('Escape');
    assert.ok(!entries.includes('Set as Active Fleet'), `active fleet menu: ${JSON.stringify(entries)}`);
  });
});

describe('machines: a fleet of 10,000', () => {
  let fleet: LocalFleet | undefined;
  const ui = useWorkbench(async () => {
    fleet = await startLocalFleet({ scaleMachines: 10_000 });
    return { ...fleetSession('scale'), fleet };
  });
  after(async () => {
    await fleet?.close();
  });

  ui.test('expanding it shows the first page and a "Load more" row, not all 10,000; Load more adds the next page', async (wb, session) => {
    await wb.views.openContainer('CMDOP');
    await signInThroughUi(session, fleetOf(session).issuer);
    await wb.views.expandTreeItem(VIEW, /^Scale test/);
    await wb.views.clickTreeItem(VIEW, 'node-00001');
    // The tree only renders rows in view: jump to the end of the list.
    await session.page.keyboard.press('End');
    const more = await wb.views.waitForTreeItem(VIEW, 'Load more machines…');
    assert.equal(more.description, '50 shown');
    assert.ok((await wb.views.treeItems(VIEW)).some((i) => i.label === 'node-00050'));
    await wb.views.clickTreeItem(VIEW, 'Load more machines…');
    await wb.views.clickTreeItem(VIEW, 'node-00051');
    await session.page.keyboard.press('End');
    await waitFor('the second page', async () =>
      (await wb.views.waitForTreeItem(VIEW, 'Load more machines…')).description === '100 shown' ? true : undefined,
    );
    assert.ok((await wb.views.treeItems(VIEW)).some((i) => i.label === 'node-00100'));
  });
});
