// Another extension, as far as CMDOP can tell: on its own command it reads which CMDOP command to call and with
// which arguments (or which language-model tool to invoke with which input, as a chat agent would) from the
// file named by CRAFTED_CALLER_REQUEST, calls it, and writes how the call settled next to that file, so the
// test waits on that state.
/* global require, exports, process */
/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS extension, loaded as it is */
const fs = require('node:fs');
const vscode = require('vscode');

function settle(requestFile, id, outcome) {
  const resultFile = `${requestFile}.${id}.result.json`;
  fs.writeFileSync(`${resultFile}.tmp`, JSON.stringify({ id, ...outcome }));
  fs.renameSync(`${resultFile}.tmp`, resultFile);
}

/** A tool call outside a chat request: VS Code itself shows the tool's confirmation, in a dialog. */
async function invokeTool(tool, input) {
  const result = await vscode.lm.invokeTool(tool, { input, toolInvocationToken: undefined });
  return result.content.map((part) => (part instanceof vscode.LanguageModelTextPart ? part.value : '')).join('');
}

exports.activate = (context) => {
  context.subscriptions.push(
    vscode.commands.registerCommand('craftedCaller.call', async () => {
      const requestFile = process.env.CRAFTED_CALLER_REQUEST;
      const { id, command, args, tool, input } = JSON.parse(fs.readFileSync(requestFile, 'utf8'));
      try {
        const value = tool ? await invokeTool(tool, input) : await vscode.commands.executeCommand(command, ...args);
        settle(requestFile, id, { ok: true, value: value === undefined ? null : value });
      } catch (err) {
        settle(requestFile, id, { ok: false, error: String((err && err.message) || err) });
      }
    }),
  );
};

exports.deactivate = () => undefined;
