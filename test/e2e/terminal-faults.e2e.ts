// Terminals that ride out faults. A shell on a real agent while the fleet server drops the relay,
// revokes the key the shell was opened with, or takes the machine offline. Every byte the terminal showed is
// read from the extension's transcript (CMDOP_TERMINAL_TRANSCRIPT_DIR): the page keeps only the visible rows.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'node:test';
import { type Session, useWorkbench, waitFor } from './harness';
import { treeContextAction } from './flows/contextMenu';
import { fleetOf, fleetSession, seededKey } from './flows/fleetSession';
import { waitForNotice } from './flows/notices';
import { signInThroughUi } from './flows/deviceSignIn';

const VIEW = 'Machines';
const STATUS = 'cmdop.status';
const transcripts = mkdtempSync(join(tmpdir(), 'cmdop-transcripts-'));
const plain = (text: string) => text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');

/** The newest transcript of a terminal on `hostname`, ANSI codes removed. */
function transcript(hostname: string): string {
  const files = existsSync(transcripts) ? readdirSync(transcripts).filter((f) => f.startsWith(`${hostname}-`)) : [];
  files.sort((a, b) => Number(/-(\d+)\.log$/.exec(a)![1]) - Number(/-(\d+)\.log$/.exec(b)![1]));
  return files.length ? plain(readFileSync(join(transcripts, files.at(-1)!), 'utf8')) : '';
}

function waitForTranscript(hostname: string, match: RegExp, timeoutMs = 60_000): Promise<string> {
  return waitFor(
    `the ${hostname} terminal to show ${match}`,
    () => {
      const text = transcript(hostname);
      return match.test(text) ? text : undefined;
    },
    { timeoutMs },
  );
}

async function openShell(session: Session, hostname: string): Promise<void> {
  await session.wb.views.expandTreeItem(VIEW, 'Acme Production');
  await treeContextAction(session, VIEW, hostname, 'Open Shell');
  await session.wb.terminal.waitForName(`CMDOP: ${hostname}`, 20_000);
  await waitForTranscript(hostname, /[#$] ?$/m, 30_000);
}

describe('terminals ride out relay and credential faults', () => {
  const ui = useWorkbench(() =>
    fleetSession('terminal-faults', {
      // Big enough to hold all of seq's output while the relay is down, so nothing has to be reported as a gap.
      fleet: { outputBufferBytes: 8 * 1024 * 1024 },
      env: { CMDOP_TERMINAL_TRANSCRIPT_DIR: transcripts, CMDOP_API_KEY: '' },
    }),
  );

  ui.test(
    'seq 1 300000 while the relay drops for 5 s: reconnects with no key press, every line once, in order',
    async (wb, session) => {
      await wb.statusBar.waitForText(STATUS, 'CMDOP: Sign in', 60_000);
      await wb.runCommand('CMDOP: Add Fleet API Key');
      await wb.quickInput.answer(seededKey(session, 'acme-prod', 'ci-deploy'));
      await wb.statusBar.waitForText(STATUS, /API key \(stored\)$/, 30_000);
      await wb.views.openContainer('CMDOP');
      await openShell(session, 'web-1');
      await wb.terminal.sendLine('sleep 2; seq 1 300000; echo seq-$((1+1))-done');
      await waitForTranscript('web-1', /sleep 2; seq 1 300000; echo seq-\$\(\(1\+1\)\)-done/);
      // The relay goes away before seq starts printing: its output piles up on the server while the terminal retries.
      const dropped = fleetOf(session).faults.relayOutage(5);
      assert.ok(dropped >= 1, "the shell's output stream was open and got dropped");
      const text = await waitForTranscript('web-1', /^seq-2-done$/m, 120_000);
      assert.equal(text.match(/reconnecting…/g)?.length, 1, 'one line says the connection was lost');
      const numbers = text
        .split('\n')
        .filter((line) => /^\d+$/.test(line))
        .map(Number);
      const gap = /bytes of output were dropped by the relay/.test(text);
      if (!gap) {
        assert.equal(numbers.length, 300_000, 'every line arrived exactly once');
        for (let i = 0; i < numbers.length; i++) if (numbers[i] !== i + 1) assert.fail(`line ${i + 1} is ${numbers[i]}`);
      } else {
        for (let i = 1; i < numbers.length; i++)
          if (numbers[i] <= numbers[i - 1]) assert.fail(`line ${numbers[i]} after ${numbers[i - 1]}: repeated or out of order`);
      }
      await wb.terminal.sendLine('echo typed-$((6*7))');
      await waitForTranscript('web-1', /^typed-42$/m, 30_000);
    },
    { timeout: 240_000 },
  );

  ui.test(
    'the machine stopped under an open shell: "web-1 went offline", and Reconnect opens a new shell when it is back',
    async (wb, session) => {
      await fleetOf(session).stopMachine('acme-prod', 'web-1');
      await waitForTranscript('web-1', /\[web-1 went offline\]/, 30_000);
      await waitForNotice(session, /web-1 went offline/, 10_000);
      await fleetOf(session).startMachine('acme-prod', 'web-1');
      await wb.terminal.send('r');
      await waitForTranscript('web-1', /Opening a new shell on web-1/, 10_000);
      await wb.terminal.sendLine('echo back-$((2+3))');
      await waitForTranscript('web-1', /^back-5$/m, 30_000);
    },
    { timeout: 180_000 },
  );

  ui.test(
    'input typed while the relay is down, for a shell that is gone when it is back, is not replayed into the next shell',
    async (wb, session) => {
      const fleet = fleetOf(session);
      const lost = () => transcript('web-1').match(/reconnecting…/g)?.length ?? 0;
      const before = lost();
      fleet.faults.relayOutage(6);
      await waitFor('the terminal to notice the relay is down', () => (lost() > before ? true : undefined), { timeoutMs: 30_000 });
      await wb.terminal.sendLine('echo typed-$((5*9))-away');
      await fleet.stopMachine('acme-prod', 'web-1');
      const text = await waitForTranscript('web-1', /went offline\][^\n]*\n?.*not sent: the shell they were for is gone/, 60_000);
      assert.match(text, /\[2[45] characters typed while the connection was down were not sent: the shell they were for is gone\.\]/);
      await fleet.startMachine('acme-prod', 'web-1');
      const opened = (transcript('web-1').match(/Opening a new shell on web-1/g) ?? []).length;
      await wb.terminal.send('r');
      await waitFor(
        'a new shell',
        () => ((transcript('web-1').match(/Opening a new shell on web-1/g) ?? []).length > opened ? true : undefined),
        { timeoutMs: 10_000 },
      );
      await wb.terminal.sendLine('echo fresh-$((1+1))');
      const after = await waitForTranscript('web-1', /^fresh-2$/m, 30_000);
      assert.doesNotMatch(
        after.slice(after.lastIndexOf('Opening a new shell on web-1')),
        /typed-\$\(\(5\*9\)\)-away|typed-45-away/,
        'the old input reached the new shell',
      );
    },
    { timeout: 180_000 },
  );

  ui.test(
    'the relay restarts under an open shell: one sentence says the shell ended with it, R opens a new one, nothing typed before is replayed',
    async (wb, session) => {
      await wb.terminal.sendLine('echo before-$((3*3))');
      await waitForTranscript('web-1', /^before-9$/m, 30_000);
      // A line typed but not yet entered: it belongs to the old shell and must not reach the new one.
      await wb.terminal.send('echo unsent-before-restart');
      await waitForTranscript('web-1', /echo unsent-before-restart$/m, 30_000);
      const restartsShown = (transcript('web-1').match(/ended with the relay/g) ?? []).length;
      const { sessionsDropped } = await fleetOf(session).faults.restartRelays();
      assert.ok(sessionsDropped >= 1, "the shell's session was live on the relay");
      const text = await waitFor(
        'the terminal to say the shell ended with the relay',
        () => {
          const now = transcript('web-1');
          return (now.match(/ended with the relay/g) ?? []).length > restartsShown ? now : undefined;
        },
        { timeoutMs: 60_000 },
      );
      const notice = text.slice(text.lastIndexOf('before-9'));
      assert.match(
        notice,
        /\[The shell on web-1 ended with the relay, which restarted\.\] Press R to open a new shell on web-1, Q to close\./,
      );
      assert.doesNotMatch(notice, /no session|in fleet acme-prod/, "the relay's own error is not what the person reads");
      const opened = (text.match(/Opening a new shell on web-1/g) ?? []).length;
      await wb.terminal.send('r');
      await waitFor(
        'a new shell',
        () => ((transcript('web-1').match(/Opening a new shell on web-1/g) ?? []).length > opened ? true : undefined),
        { timeoutMs: 10_000 },
      );
      await waitForTranscript('web-1', /Opening a new shell on web-1[^]*[#$] ?$/, 30_000);
      await wb.terminal.sendLine('echo ok-$((6*7))');
      const after = await waitForTranscript('web-1', /^ok-42$/m, 30_000);
      const newShell = after.slice(after.lastIndexOf('Opening a new shell on web-1'));
      assert.doesNotMatch(newShell, /unsent-before-restart|before-\$\(\(3\*3\)\)/, 'input for the old shell reached the new one');
    },
    { timeout: 180_000 },
  );

  ui.test(
    "the key revoked under an open shell ends the session with a message naming the key's source and what to do",
    async (_wb, session) => {
      const { streamsEnded } = fleetOf(session).faults.revokeKey('acme-prod', 'ci-deploy')!;
      assert.ok(streamsEnded >= 1);
      const text = await waitForTranscript('web-1', /was refused/, 30_000);
      assert.match(text, /Active fleet's stored API key was refused: API key revoked/);
      assert.match(text, /CMDOP: Add Fleet API Key/);
      await waitForNotice(session, /revoked/, 10_000);
    },
  );

  ui.test(
    'an access token that expires under an open shell is refreshed and the shell goes on',
    async (wb, session) => {
      const fleet = fleetOf(session);
      await wb.terminal.send('x'); // closes the ended terminal
      await wb.runCommand('CMDOP: Remove Fleet API Key');
      await wb.quickInput.pick('Acme Production');
      await wb.dialogs.waitOpen(10_000);
      await wb.dialogs.clickButton('Remove');
      await wb.statusBar.waitForText(STATUS, 'CMDOP: Sign in', 30_000);
      await signInThroughUi(session, fleet.issuer);
      await wb.statusBar.waitForText(STATUS, /· OAuth$/, 30_000);
      await openShell(session, 'web-1');
      await wb.terminal.sendLine('echo one-$((1+1))');
      await waitForTranscript('web-1', /^one-2$/m, 30_000);
      const before = fleet.faults.refreshStats();
      const { tokensExpired, streamsEnded } = fleet.faults.expireAccessTokens('alice@acme.test');
      assert.ok(tokensExpired >= 1 && streamsEnded >= 1, `expired ${tokensExpired} tokens, ended ${streamsEnded} streams`);
      await wb.terminal.sendLine('echo two-$((2+2))');
      const text = await waitForTranscript('web-1', /^two-4$/m, 60_000);
      assert.doesNotMatch(text, /Press any key to close/, 'the session did not end');
      assert.ok(fleet.faults.refreshStats().succeeded > before.succeeded, 'the expired token was refreshed');
      assert.match((await wb.statusBar.text(STATUS)) ?? '', /· OAuth$/, 'still signed in');
    },
    { timeout: 180_000 },
  );
});
