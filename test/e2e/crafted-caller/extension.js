// Another extension, as far as CMDOP can tell: on its own command it reads which CMDOP command to call and with
// which arguments from the file named by CRAFTED_CALLER_REQUEST, calls it, and writes how the call settled
// next to that file, so the test waits on that state.
/* global require, exports, process */
/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS extension, loaded as it is */
const fs = require('node:fs');
const vscode = require('vscode');

function settle(requestFile, id, outcome) {
  const resultFile = `${requestFile}.${id}.result.json`;
  fs.writeFileSync(`${resultFile}.tmp`, JSON.stringify({ id, ...outcome }));
  fs.renameSync(`${resultFile}.tmp`, resultFile);
}

exports.activate = (context) => {
  context.subscriptions.push(
    vscode.commands.registerCommand('craftedCaller.call', async () => {
      const requestFile = process.env.CRAFTED_CALLER_REQUEST;
      const { id, command, args } = JSON.parse(fs.readFileSync(requestFile, 'utf8'));
      try {
        const value = await vscode.commands.executeCommand(command, ...args);
        settle(requestFile, id, { ok: true, value: value === undefined ? null : value });
      } catch (err) {
        settle(requestFile, id, { ok: false, error: String((err && err.message) || err) });
      }
    }),
  );
};

exports.deactivate = () => undefined;
