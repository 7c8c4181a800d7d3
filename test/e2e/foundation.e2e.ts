// The extension as a person first meets it: signed out, in a fresh code-server with the packaged .vsix.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { useWorkbench } from './harness';

describe('foundation: a fresh workbench with the packaged extension', () => {
  const ui = useWorkbench({ name: 'foundation' });

  ui.test('the status bar shows "CMDOP: Sign in"', async (wb) => {
    const text = await wb.statusBar.waitForText('cmdop.status', /CMDOP/, 60_000);
    assert.equal(text, 'CMDOP: Sign in');
  });

  ui.test('the CMDOP view welcomes with a Sign In button', async (wb) => {
    await wb.views.openContainer('CMDOP');
    const welcome = await wb.views.waitForWelcomeText('Machines', 'Sign in to CMDOP');
    assert.match(welcome, /^Sign in to CMDOP to see your fleets and their machines\.$/m);
    assert.deepEqual(await wb.views.welcomeButtons('Machines'), ['Sign In']);
  });

  ui.test('"CMDOP: Sign In" is in the command palette', async (wb) => {
    await wb.findCommand('CMDOP: Sign In');
  });
});
