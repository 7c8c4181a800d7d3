// Checks the harness itself against built-in workbench features, so a code-server update that moves the DOM
// shows up here, not as confusing failures in feature tests.
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { describe } from 'node:test';
import { fileSafe, resultsDir, useWorkbench } from './harness';

describe('harness self-check', () => {
  const ui = useWorkbench({ name: 'harness', env: { CMDOP_HARNESS_PROBE: 'env-reaches-terminals' } });

  ui.test('terminal text can be read, scrollback included, and the extra environment reaches it', async (wb) => {
    await wb.runCommand('Terminal: Create New Terminal');
    await wb.terminal.waitForTerminal();
    await wb.terminal.waitForText(/[$#] *$/, 30_000);
    await wb.terminal.sendLine('echo "probe=$CMDOP_HARNESS_PROBE sum=$((6*7))"; seq 1 150');
    const visible = await wb.terminal.waitForText(/^150$/m);
    assert.doesNotMatch(visible, /^1\n2\n3$/m, 'the top of the output has scrolled out of view');
    const buffer = await wb.terminal.bufferText();
    assert.match(buffer, /^probe=env-reaches-terminals sum=42$/m);
    assert.match(buffer, /^1\n2\n3$/m, 'the scrollback is readable');
    assert.match(buffer, /^149\n150$/m);
  });

  ui.test('input boxes can be answered (Terminal: Rename)', async (wb) => {
    await wb.runCommand('Terminal: Rename...');
    await wb.quickInput.answer('probe-terminal');
    await wb.terminal.waitForName('probe-terminal');
    assert.equal(await wb.terminal.activeName(), 'probe-terminal');
    assert.deepEqual(await wb.terminal.names(), ['probe-terminal']);
  });

  ui.test('quick picks can be read and picked (Preferences: Color Theme)', async (wb) => {
    await wb.runCommand('Preferences: Color Theme');
    const item = await wb.quickInput.waitForItem('Dark Modern');
    assert.equal(item.label, 'Dark Modern');
    await wb.quickInput.pick('Dark Modern');
    await wb.page.locator('.monaco-workbench.vs-dark').waitFor({ timeout: 10_000 });
  });

  ui.test('modal dialogs can be read and answered (Format Document without a formatter)', async (wb) => {
    await wb.runCommand('File: New Untitled Text File');
    await wb.page.keyboard.type('hello');
    await wb.runCommand('Format Document');
    const dialog = await wb.dialogs.waitOpen();
    assert.match(dialog.message, /no formatter/i);
    assert.ok(dialog.buttons.includes('Cancel'), `buttons: ${dialog.buttons.join(', ')}`);
    await wb.dialogs.clickButton('Cancel');
  });

  ui.test('pages the workbench opens are caught (Help: Report Issue... > Open)', async (wb, session) => {
    await wb.runCommand('Help: Report Issue...');
    const dialog = await wb.dialogs.waitOpen();
    assert.match(dialog.message, /open the external website/);
    await wb.dialogs.clickButton('Open');
    const popup = await session.waitForPopup('code-server/issues/new');
    await popup.close();
  });

  ui.test('the window reloads and the extension comes back', async (wb) => {
    await wb.reload();
    await wb.statusBar.waitForText('cmdop.status', /CMDOP/, 60_000);
  });

  ui.test('a failure leaves a screenshot named after the test', async (_wb, session) => {
    const name = 'harness self-check probe';
    const files = await session.captureFailure(name);
    const png = path.join(resultsDir, `${fileSafe(name)}.png`);
    try {
      assert.ok(files.includes(png) && existsSync(png), `no ${png} among ${files.join(', ')}`);
    } finally {
      for (const file of files) rmSync(file, { recursive: true, force: true });
    }
  });
});
