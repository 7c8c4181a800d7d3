// The chat agent's tools in a real extension host, invoked through vscode.lm.invokeTool. Called by an extension
// outside a chat request (code-server has no language model, so no chat request), VS Code 1.139 runs the tool
// without showing its confirmation; the confirmation's text is tested in test/unit/chatTools.test.ts. And
// vscode.lm.tools lists contributed tools whatever their `when` clause (it filters only what chat offers a
// model), so after sign-out the tools are checked to answer "not signed in".
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { CHAT_FLEET_KEY } from './results';

const EXTENSION_ID = 'cmdop.cmdop-vscode';
const TOOLS = ['cmdop_listMachines', 'cmdop_runCommand'];

const listed = () => vscode.lm.tools.filter((t) => TOOLS.includes(t.name)).map((t) => t.name);

async function invoke(name: string, input: object): Promise<string> {
  const result = await vscode.lm.invokeTool(name, { input, toolInvocationToken: undefined });
  return result.content.map((part) => (part instanceof vscode.LanguageModelTextPart ? part.value : '')).join('');
}

/** Changing the cmdop.fleet setting makes the extension resolve its credential again. */
async function resolveAgain(fleet: string | undefined): Promise<void> {
  await vscode.workspace.getConfiguration('cmdop').update('fleet', fleet, vscode.ConfigurationTarget.Global);
}

describe('CMDOP chat tools', function () {
  before(function () {
    // Only the code-server launcher starts a fleet server for the suite.
    if (!process.env[CHAT_FLEET_KEY]) this.skip();
  });

  after(async () => {
    delete process.env.CMDOP_API_KEY;
    await resolveAgain(undefined);
  });

  it('are listed while a credential resolves', async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
    process.env.CMDOP_API_KEY = process.env[CHAT_FLEET_KEY];
    await resolveAgain('acme-prod');
    assert.deepEqual(listed(), TOOLS);
    const run = vscode.lm.tools.find((t) => t.name === 'cmdop_runCommand')!;
    assert.match(run.description, /must confirm every call/);
    assert.deepEqual((run.inputSchema as { required: string[] }).required, ['machines', 'command']);
  });

  it('cmdop_listMachines returns web-1 and db-1 with their presence', async () => {
    const text = await invoke('cmdop_listMachines', {});
    assert.match(text, /Fleet "Acme Production" \(id acme-prod\); the user's role there: Member/);
    assert.match(text, /- web-1: online, OS linux/);
    assert.match(text, /- db-1: online, OS linux/);
    assert.match(text, /- batch-1: offline/);
  });

  it('cmdop_runCommand with an unknown hostname answers with the closest real ones', async () => {
    const text = await invoke('cmdop_runCommand', { machines: ['web-9'], command: 'uptime' });
    assert.match(text, /Nothing was run: in fleet "Acme Production" there is no machine "web-9" \(closest: web-1/);
  });

  it('cmdop_runCommand on web-* returns exit codes and outputs from a run kept in the Runs view', async () => {
    const text = await invoke('cmdop_runCommand', { machines: ['web-*'], command: 'echo chat-run-on-$(hostname)' });
    assert.match(text, /Ran `echo chat-run-on-\$\(hostname\)` on 1 machine in Acme Production \(run #\d+ in the CMDOP Runs view\)/);
    assert.match(text, /web-1 \(exit 0\):\n```\n[\s\S]*chat-run-on-/);
  });

  it('answer "not signed in" after sign-out', async () => {
    delete process.env.CMDOP_API_KEY;
    await resolveAgain(undefined);
    const text = await invoke('cmdop_listMachines', {});
    assert.match(text, /not signed in to CMDOP/);
  });
});
