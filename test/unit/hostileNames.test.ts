import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { machineListText, runConfirmation, runResultText } from '../../src/core/chatTools/resultText';
import {
  errorPickText,
  fileHitPickText,
  fleetPickText,
  machineFactPickText,
  machinePickText,
  storedKeyPickText,
} from '../../src/core/display/pickItems';
import { labelLines, MODAL_LIMIT, notificationDetail, safeLines } from '../../src/core/display/safeText';
import { Emitter } from '../../src/core/emitter';
import type { FanOut, FanOutCounts, MachineResult } from '../../src/core/fanOut/fanOut';
import type { FanOutRunInfo } from '../../src/core/fanOut/runHistory';
import { groupRowText, machineRowText, runRowText } from '../../src/core/fanOut/runRows';
import type { FleetInfo, Machine } from '../../src/core/fleet/fleetApi';
import { sessionRowText, type LiveSession } from '../../src/core/fleet/liveSessions';
import { activeStatus, problemTooltip } from '../../src/core/fleet/statusText';
import type { RemoteSession, SessionExit } from '../../src/core/relay/remoteSession';
import { TerminalConnection } from '../../src/core/relay/terminalConnection';
import { terminalName } from '../../src/core/relay/terminalIdentity';
import { diagnosticText, fleetHover, globHover, machineHover, replaceTitle, runLensTitle } from '../../src/runbook-server/runbookText';

// Names a hostile fleet could give its machines: a command link, a codicon, terminal escapes (title, clear
// screen), a right-to-left override, control characters; and one of 300 characters.
const LINK = '[x](command:cmdop.signOut)';
const ICON = '$(alert)';
const ESCAPES = '\x1b]0;evil\x07\x1b[2J';
const RLO = '\u202e';
const HOSTILE = `web-1${LINK}${ICON}${ESCAPES}${RLO}db\x00\x08\x7f`;
const LONG = 'h'.repeat(300);
const NAMES = [HOSTILE, LONG];

const BIDI = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/;
const CONTROL_BUT_NEWLINE = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/;

/** Plain text for a label, tooltip, notification or pick: no link, no codicon but `ownIcons`, no escape, no bidi. */
function assertInert(text: string | undefined, ownIcons: string[] = [], maxLine = 400): void {
  if (text === undefined) return;
  let rest = text;
  for (const icon of ownIcons) rest = rest.replace(`$(${icon})`, '');
  assert.ok(!rest.includes(']('), `command link survived: ${JSON.stringify(text)}`);
  assert.ok(!rest.includes('$('), `codicon survived: ${JSON.stringify(text)}`);
  assert.ok(!CONTROL_BUT_NEWLINE.test(text), `control character survived: ${JSON.stringify(text)}`);
  assert.ok(!BIDI.test(text), `bidi control survived: ${JSON.stringify(text)}`);
  for (const line of text.split('\n')) assert.ok([...line].length <= maxLine, `line of ${[...line].length} characters`);
}

/** Markdown: no unescaped link, image or HTML character, no codicon, no control, no bidi. */
function assertInertMarkdown(text: string): void {
  assert.ok(!/(^|[^\\])[[\]<>]/.test(text), `Markdown syntax survived: ${JSON.stringify(text)}`);
  assert.ok(!text.includes('$('), `codicon survived: ${JSON.stringify(text)}`);
  assert.ok(!CONTROL_BUT_NEWLINE.test(text) && !BIDI.test(text), JSON.stringify(text));
}

const fleet = (name: string): FleetInfo => ({ id: `f-${name.length}`, name, role: 'Member', relay: `relay ${name}` });
const machine = (name: string, online = true): Machine => ({
  id: 'm-1',
  name,
  hostname: name,
  os: name,
  is_online: online,
  status: name,
  last_seen: null,
  agent_version: '1',
});

describe('hostile names on the Runs view', () => {
  const counts: FanOutCounts = { ok: 1, failed: 1, timeout: 0, cancelled: 0, error: 1, skipped: 0, running: 0, pending: 0, total: 3 };
  const run = (name: string): FanOutRunInfo => ({
    id: 1,
    command: `uname ${name}`,
    fleetId: 'f',
    fleetName: name,
    startedAt: new Date(0),
    fanOut: { isDone: true } as FanOut,
  });
  const result = (name: string, outcome: MachineResult['outcome']): MachineResult => ({
    hostname: name,
    outcome,
    exitCode: 1,
    durationMs: 5,
    output: `${name}\n${name}`,
    truncated: false,
    detail: name,
  });

  it('run, group and machine rows show names as text: label, description, tooltip, accessibility', () => {
    for (const name of NAMES) {
      const rows = [
        runRowText(run(name), counts),
        groupRowText(run(name), { output: `${name}\nsecond ${name}`, hostnames: [name, name], exitCodes: [0] }),
        machineRowText(result(name, 'failed')),
        machineRowText(result(name, 'error')),
        machineRowText(result(name, 'skipped')),
      ];
      for (const { accessibility, ...shown } of rows) {
        for (const part of Object.values(shown)) assertInert(part);
        // Read aloud, never rendered: only controls and bidi matter there.
        assert.ok(!CONTROL_BUT_NEWLINE.test(accessibility) && !BIDI.test(accessibility), accessibility);
      }
    }
    // The words are still there to read.
    assert.match(machineRowText(result(HOSTILE, 'failed')).label, /^web-1\[x\]/);
  });
});

describe('hostile names on the Sessions view', () => {
  it('label, description and tooltip of a session row are inert', () => {
    for (const name of NAMES) {
      const session: LiveSession = { id: name, hostname: name, name, shared: false, shellRunning: true, attached: 1, openedBy: name };
      const row = sessionRowText(session, name, false, 0);
      for (const part of Object.values(row)) assertInert(part);
    }
  });
});

describe('hostile names in the status bar', () => {
  it('the text keeps only our cloud icon and the Markdown tooltip escapes every name', () => {
    for (const name of NAMES) {
      const status = activeStatus({
        fleet: fleet(name),
        credential: { kind: 'oauth', source: 'oauth', secret: 't', account: name },
        identity: name,
        skipped: [],
      });
      assertInert(status.text, ['cloud']);
      assert.ok(status.text.startsWith('$(cloud) '), status.text);
      assertInertMarkdown(status.tooltipMarkdown.replace(/\*\*/g, ''));
    }
    assertInert(problemTooltip(`CMDOP_API_KEY refused: ${HOSTILE}\n${LONG}`));
  });
});

describe('hostile names in quick picks and terminal names', () => {
  it('machine, fleet, key, file and error rows keep only our own codicons', () => {
    for (const name of NAMES) {
      const own = ['vm-running', 'vm-outline', 'check', 'error'];
      const rows = [
        machinePickText(machine(name), true),
        machinePickText(machine(name, false), false),
        machineFactPickText({ hostname: name, name, os: name, online: true, lastSeen: null }),
        fleetPickText(fleet(name), true, ['OAuth']),
        fleetPickText(fleet(name), false),
        storedKeyPickText(name, name, name),
        fileHitPickText(name, name, name),
        errorPickText(name),
      ];
      for (const row of rows) for (const part of Object.values(row)) assertInert(part as string, own);
      assertInert(terminalName({ name, hostname: name }, name));
    }
  });
});

describe('hostile names in runbook hovers, diagnostics and code lenses', () => {
  it('hovers are escaped Markdown; diagnostics, lens and quick fix titles are inert text', () => {
    for (const name of NAMES) {
      const fact = { hostname: name, name: `${name}-alias`, os: name, online: false, lastSeen: name };
      const f = { id: name, name, role: 'Guest' as const };
      for (const hover of [fleetHover(f), machineHover(fact, f), globHover(`${name}*`, { machines: [fact], truncated: false }, f)])
        assertInertMarkdown(hover.replace(/\*\*/g, ''));
      assertInert(diagnosticText(`Unknown machine "${name}" in fleet "${name}".`));
      assertInert(runLensTitle([name, name, name, name]));
      assertInert(replaceTitle(name));
    }
  });
});

describe('hostile names in notifications and modals', () => {
  it('a modal detail keeps its lines but no link, codicon, escape or bidi', () => {
    const detail = notificationDetail(`Machines: ${HOSTILE}\n${LONG}`, MODAL_LIMIT);
    assertInert(detail, [], MODAL_LIMIT);
    assert.equal(detail.split('\n').length, 2);
  });

  it('a plain multi-line tooltip is cut at its line count', () => {
    const text = labelLines(Array.from({ length: 100 }, () => HOSTILE).join('\n'), 400, 5);
    assertInert(text);
    assert.equal(text.split('\n').length, 6);
  });
});

describe('hostile names in chat tool results', () => {
  it('confirmation, machine list and run results carry no escape, control or bidi character; names stay whole', () => {
    const confirmation = runConfirmation({ machines: [HOSTILE, `${LONG}*`], command: 'uptime' }, HOSTILE, 30);
    // The title is plain text (not Markdown): controls and bidi are what could mislead there.
    assert.ok(!CONTROL_BUT_NEWLINE.test(confirmation.title) && !BIDI.test(confirmation.title), confirmation.title);
    assert.ok(!CONTROL_BUT_NEWLINE.test(confirmation.message) && !BIDI.test(confirmation.message));
    assert.ok(!/(^|[^\\])\]\(/.test(confirmation.message), confirmation.message);
    const list = machineListText({ name: HOSTILE, id: 'f', role: 'Member' }, [machine(HOSTILE), machine(LONG)], { onlineOnly: false });
    for (const line of [list.head, ...list.lines]) assert.ok(!CONTROL_BUT_NEWLINE.test(line) && !BIDI.test(line), line);
    assert.ok(list.lines[1].includes(LONG), 'a long hostname reaches the model whole');
    const results: MachineResult[] = [
      { hostname: HOSTILE, outcome: 'ok', exitCode: 0, durationMs: 1, output: `ok${ESCAPES}${RLO}\n`, truncated: false },
    ];
    const counts: FanOutCounts = { ok: 1, failed: 0, timeout: 0, cancelled: 0, error: 0, skipped: 0, running: 0, pending: 0, total: 1 };
    const text = runResultText({ command: 'uptime', fleetName: HOSTILE, runId: 1, results, counts }, Infinity);
    assert.ok(!CONTROL_BUT_NEWLINE.test(text) && !BIDI.test(text), JSON.stringify(text));
    assert.equal(safeLines(`a${ESCAPES}\r\nb\tc`), 'a\nb\tc');
  });
});

/** A session that only shows what the test gives it. */
class StillSession implements RemoteSession {
  readonly sessionId = 's-1';
  readonly exits = new Emitter<SessionExit>();
  readonly output = new Emitter<Uint8Array>();
  readonly onOutput = this.output.event;
  readonly onExit = this.exits.event;
  readonly onDisconnect = new Emitter<Error>().event;
  readonly onGap = new Emitter<number>().event;
  bytesReceived = 0;
  resume = () => Promise.resolve();
  write = () => Promise.resolve();
  resize = () => Promise.resolve();
  close = () => Promise.resolve();
  detach = () => undefined;
}

describe('hostile names in terminal status lines', () => {
  it('connecting, exit and error lines carry only our own colours; the shell output itself is untouched', async () => {
    const session = new StillSession();
    const shown: string[] = [];
    const connection = new TerminalConnection({
      hostname: HOSTILE,
      fleetName: HOSTILE,
      openSession: () => Promise.resolve(session),
      health: () => Promise.resolve(),
      onCredentialsChange: () => ({ dispose: () => undefined }),
      log: { info: () => undefined, warn: () => undefined },
    });
    connection.onDidWrite((text) => shown.push(text));
    connection.open({ columns: 80, rows: 24 });
    await new Promise((resolve) => setImmediate(resolve));
    session.output.fire(Buffer.from('\x1b[1mprompt$ '));
    session.exits.fire({ code: 3, signal: 0, reason: `exited ${ESCAPES}${RLO}` });
    const [connecting, output, exit] = shown;
    assert.equal(output, '\x1b[1mprompt$ ', 'the shell output is the shell’s own');
    for (const line of [connecting, exit]) {
      const withoutOurColours = line.replace(/\x1b\[(2|31|33|0)m/g, '');
      assert.ok(!withoutOurColours.includes('\x1b') && !withoutOurColours.includes('\x07'), JSON.stringify(line));
      assert.ok(!BIDI.test(line), JSON.stringify(line));
    }
    assert.match(connecting, /Connecting to web-1\[x\]\(command:cmdop\.signOut\)\$\(alert\)db in fleet/);
  });
});
