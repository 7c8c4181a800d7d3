// The packaged extension inside a real extension host, through the real `vscode` API.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'cmdop.cmdop-vscode';

interface Manifest {
  displayName: string;
  contributes: {
    views: Record<string, { id: string; name: string }[]>;
    authentication?: { id: string; label: string }[];
  };
}

function extension(): vscode.Extension<unknown> {
  const found = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(found, `${EXTENSION_ID} is not loaded in this extension host`);
  return found;
}

describe('CMDOP extension in the extension host', () => {
  it('is present', () => {
    assert.equal((extension().packageJSON as Manifest).displayName, 'CMDOP');
  });

  it('activates', async () => {
    await extension().activate();
    assert.equal(extension().isActive, true);
  });

  it('registers its commands', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['cmdop.signIn', 'cmdop.showLog']) assert.ok(commands.includes(id), `${id} is not registered`);
  });

  it('runs CMDOP: Show Log', async () => {
    await vscode.commands.executeCommand('cmdop.showLog');
  });

  it('contributes its settings, defaulting to the prod deployment', () => {
    const mode = vscode.workspace.getConfiguration('cmdop').inspect<string>('mode');
    assert.equal(mode?.defaultValue, 'prod');
  });

  it('contributes the Machines and Runs views and the cmdop authentication provider', () => {
    const manifest = extension().packageJSON as Manifest;
    const views = manifest.contributes.views.cmdop.map((view) => view.id);
    // The Machines view leads the container; the others (runs, sessions) follow it.
    assert.equal(views[0], 'cmdop.machines');
    assert.ok(views.includes('cmdop.runs'), `views: ${views.join(', ')}`);
    assert.ok(manifest.contributes.authentication?.some((provider) => provider.id === 'cmdop'));
  });

  it('sees the environment its launcher passed to the extension host', () => {
    assert.equal(process.env.CMDOP_HOST_SUITE_PROBE, 'from-launcher');
  });
});
