import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { codeBlock } from '../../src/core/chatTools/codeBlock';
import { safeLines, wholeName } from '../../src/core/display/safeText';
import { type ChatRunRequest, FleetTools, type FleetToolsDeps } from '../../src/core/chatTools/fleetTools';
import { closestNames, resolveMachines } from '../../src/core/chatTools/machineNames';
import { runConfirmation } from '../../src/core/chatTools/resultText';
import { stateChanges, stateChangeWarning } from '../../src/core/chatTools/stateChange';
import { checkListMachinesInput, checkRunCommandInput } from '../../src/core/chatTools/toolInput';
import { estimateTokens, fitToBudget, trimMiddle } from '../../src/core/chatTools/tokenBudget';
import { NotSignedInError } from '../../src/core/errors';
import type { MachineResult } from '../../src/core/fanOut/fanOut';
import type { FleetInfo, Machine } from '../../src/core/fleet/fleetApi';
import type { ActiveContext } from '../../src/core/fleet/fleetContext';
import type { Role } from '../../src/core/oauth/tokens';
import { machine } from './support/machine';

/** A machine whose hostname is exactly `hostname`. */
const host = (hostname: string, online = true): Machine => ({ ...machine(hostname, online), hostname });

const FLEET = ['web-1', 'web-2', 'web-10', 'db-1'].map((h) => host(h)).concat(host('batch-1', false));

describe('chat tool input', () => {
  test('runCommand needs machines and a one-line command; globs in one entry are split; repeats dropped', () => {
    const ok = checkRunCommandInput({ machines: ['web-*, db-1', 'WEB-*'], command: '  uptime ', timeoutSeconds: 2.5 });
    assert.deepEqual(ok, { ok: true, value: { fleet: undefined, machines: ['web-*', 'db-1'], command: 'uptime', timeoutSeconds: 3 } });
    const problemOf = (raw: unknown) => {
      const checked = checkRunCommandInput(raw);
      assert.equal(checked.ok, false, JSON.stringify(raw));
      return (checked as { problem: string }).problem;
    };
    assert.match(problemOf({ machines: [], command: 'ls' }), /non-empty list of hostnames/);
    assert.match(problemOf({ machines: ['web-1'], command: ' ' }), /"command" must be/);
    assert.match(problemOf({ machines: ['web-1'], command: 'ls\nrm -rf /' }), /one line/);
    assert.match(problemOf({ machines: ['web-1'], command: 'ls\u001b[2J' }), /control characters/);
    assert.match(problemOf({ machines: ['web-1; rm'], command: 'ls' }), /is not a hostname or glob/);
    assert.match(problemOf({ machines: ['web-1'], command: 'ls', timeoutSeconds: 0 }), /from 1 to 3600/);
    assert.match(problemOf({ machines: ['web-1'], command: 'ls', timeoutSeconds: '30' }), /from 1 to 3600/);
    assert.match(problemOf({ machines: ['web-1'], command: 'x'.repeat(4001) }), /at most 4000/);
    assert.match(problemOf('uptime'), /must be an object/);
  });

  test('listMachines takes an optional fleet, glob and onlineOnly flag', () => {
    assert.deepEqual(checkListMachinesInput({}), { ok: true, value: { fleet: undefined, hostname: undefined, onlineOnly: false } });
    assert.deepEqual(checkListMachinesInput({ fleet: ' acme-prod ', hostname: 'web-*', onlineOnly: true }), {
      ok: true,
      value: { fleet: 'acme-prod', hostname: 'web-*', onlineOnly: true },
    });
    assert.equal(checkListMachinesInput({ onlineOnly: 'yes' }).ok, false);
    assert.equal(checkListMachinesInput({ hostname: '$(reboot)' }).ok, false);
  });
});

describe('hostname resolution', () => {
  test('exact names (any case) and globs resolve to machines, each once, in hostname order', () => {
    const { matched, unmatched } = resolveMachines(FLEET, ['web-*', 'DB-1', 'web-1']);
    assert.deepEqual(
      matched.map((m) => m.hostname),
      ['db-1', 'web-1', 'web-2', 'web-10'],
    );
    assert.deepEqual(unmatched, []);
  });

  test('an unknown name or a glob matching nothing comes back with the closest real hostnames', () => {
    const { matched, unmatched } = resolveMachines(FLEET, ['web-3', 'wbe-*', 'zzzzzzzzzzzz']);
    assert.deepEqual(matched, []);
    assert.deepEqual(unmatched, [
      { pattern: 'web-3', closest: ['web-1', 'web-2', 'web-10'] },
      { pattern: 'wbe-*', closest: ['web-1', 'web-2', 'web-10'] },
      { pattern: 'zzzzzzzzzzzz', closest: [] },
    ]);
    assert.deepEqual(closestNames('db1', ['db-1', 'web-1']), ['db-1']);
  });
});

describe('state-changing commands', () => {
  test('removing, restarting, shutting down, installing and writing files are flagged', () => {
    const flagged: [string, RegExp][] = [
      ['rm -rf /tmp/x', /removes files \(rm\)/],
      ['sudo systemctl restart nginx', /runs as root.*changes services \(systemctl restart\)/],
      ['shutdown -h now', /shuts the machine down/],
      ['uptime > /tmp/up', /writes to a file \(>\)/],
      ['echo x >> log', /appends to a file/],
      ['cat a | tee b', /writes files \(tee\)/],
      ['FOO=1 /usr/bin/apt-get install -y curl', /changes packages \(apt-get install\)/],
      ['bash -c "rm -rf /var/tmp/x"', /removes files \(rm\)/],
      ['ls; kill -9 1234', /stops processes \(kill\)/],
      ['sed -i s/a/b/ f', /edits files in place/],
      ['docker restart api', /changes containers/],
      ['nohup reboot', /restarts the machine/],
    ];
    for (const [command, reason] of flagged) assert.match(stateChangeWarning(command) ?? '(none)', reason, command);
  });

  test('read-only commands, quoted ">" and redirections to /dev/null or other descriptors are not flagged', () => {
    for (const command of [
      'uptime',
      'df -h',
      'systemctl status nginx',
      'journalctl -u api -n 50 2>&1',
      'grep "a > b" file',
      'ls > /dev/null',
      'git log -1',
      'cat /etc/os-release | grep -i version',
      'apt list --installed',
    ])
      assert.deepEqual(stateChanges(command), [], command);
  });
});

describe('output trimming to a token budget', () => {
  test('trimMiddle keeps the start and the larger end, marks the cut and stays within the size', () => {
    const text = Array.from({ length: 200 }, (_, i) => `line ${i}`).join('\n');
    const cut = trimMiddle(text, 300);
    assert.ok(cut.length <= 300, `${cut.length} characters`);
    assert.ok(cut.startsWith('line 0\n'));
    assert.ok(cut.endsWith('line 199'));
    assert.match(cut, /\[… \d+ characters cut …\]/);
    assert.equal(trimMiddle('short', 300), 'short');
  });

  test('fitToBudget returns the whole text when it fits, and fits the budget by the counter it is given', async () => {
    const outputs = ['a'.repeat(5000), 'b'.repeat(5000)];
    const render = (allowance: number) =>
      `head\n${outputs.map((o) => (Number.isFinite(allowance) ? trimMiddle(o, allowance) : o)).join('\n')}`;
    assert.equal(await fitToBudget(render, 2, 10_000), render(Infinity));
    // A tokenizer twice as hungry as the estimate: the loop shrinks until the counted size fits.
    const hungry = (text: string) => Promise.resolve(text.length);
    const fitted = await fitToBudget(render, 2, 1000, hungry);
    assert.ok(fitted.length <= 1000, `${fitted.length} tokens`);
    assert.ok(fitted.length > 500, 'most of the budget is used');
    assert.ok(estimateTokens(await fitToBudget(render, 2, 200)) <= 200);
    // Smaller than the frame itself: the frame (exit codes, no output) is what is left.
    assert.equal(await fitToBudget(render, 2, 1), render(0));
  });
});

describe('text from the server', () => {
  test('control and bidirectional characters are removed; line breaks are kept in output, not in names', () => {
    assert.equal(safeLines('ok\u202e txt.exe\u0007\r\nnext\u0000\x1b[2J'), 'ok txt.exe\nnext');
    assert.equal(wholeName('web-1\nevil\u2066 ' + 'h'.repeat(300)), 'web-1 evil ' + 'h'.repeat(300));
    assert.equal(codeBlock('a ``` b'), '````\na ``` b\n````');
  });
});

describe('confirmation', () => {
  test('counts exact hostnames, names globs, shows the command in a code block and warns on state changes', () => {
    const exact = runConfirmation({ machines: ['web-1', 'db-1'], command: 'sudo systemctl restart api' }, 'Acme Production', 300);
    assert.equal(exact.title, 'Run on 2 machines in Acme Production?');
    assert.match(exact.message, /\*\*Machines:\*\* web\\-1, db\\-1/);
    assert.match(exact.message, /```sh\nsudo systemctl restart api\n```/);
    assert.match(exact.message, /⚠ This command changes state on the machines: it runs as root \(sudo\), changes services/);
    const globbed = runConfirmation({ machines: ['web-*'], command: 'uptime' }, 'Acme\u202e Production', 30);
    assert.equal(globbed.title, 'Run on machines matching web-* in Acme Production?');
    assert.doesNotMatch(globbed.message, /⚠/);
    assert.match(globbed.message, /stops after 30 s/);
    const mixed = runConfirmation({ machines: ['db-1', 'web-*'], command: 'uptime' }, 'Acme', 30);
    assert.equal(mixed.title, 'Run on 1 machine and machines matching web-* in Acme?');
  });
});

/** Fleet tools over an in-memory fleet; records what was run. */
function toolsWith(
  options: { role?: Role; serverRole?: Role; signedIn?: boolean; machines?: Machine[]; output?: (hostname: string) => string } = {},
) {
  // What the status bar last showed (lastKnown) and what the server says now (serverRole: a role changed since).
  const known: FleetInfo = { id: 'acme-prod', name: 'Acme Production', role: options.role ?? 'Member', relay: 'relay:1' };
  const fleet: FleetInfo = { ...known, role: options.serverRole ?? known.role };
  const other: FleetInfo = { id: 'partner-lab', name: 'Partner Lab', role: 'Guest', relay: 'relay:1' };
  const context = (f: FleetInfo): ActiveContext => ({
    credential: { kind: 'oauth', source: 'oauth', secret: 't', account: 'alice@acme.test' },
    fleet: f,
    identity: 'alice@acme.test',
    skipped: [],
  });
  const runs: ChatRunRequest[] = [];
  const machines = options.machines ?? FLEET;
  const deps: FleetToolsDeps = {
    choices: () => Promise.resolve([fleet, other].map((f) => ({ fleet: f, sources: ['oauth' as const] }))),
    current: (fleetId) => {
      if (options.signedIn === false) return Promise.reject(new NotSignedInError());
      return Promise.resolve(context(fleetId === other.id ? other : fleet));
    },
    lastKnown: () => (options.signedIn === false ? undefined : context(known)),
    machines: () => Promise.resolve(machines),
    timeoutSeconds: () => 300,
    run: (request) => {
      runs.push(request);
      const online = new Set(request.machines.filter((m) => m.is_online).map((m) => m.hostname));
      const results: MachineResult[] = request.hostnames.map((hostname) =>
        online.has(hostname)
          ? {
              hostname,
              outcome: 'ok',
              exitCode: 0,
              durationMs: 5,
              output: options.output?.(hostname) ?? ' 10:00 up 1 day\n',
              truncated: false,
            }
          : { hostname, outcome: 'skipped', durationMs: 0, output: '', truncated: false, detail: 'offline' },
      );
      const ok = results.filter((r) => r.outcome === 'ok').length;
      const counts = {
        ok,
        failed: 0,
        timeout: 0,
        cancelled: 0,
        error: 0,
        skipped: results.length - ok,
        running: 0,
        pending: 0,
        total: results.length,
      };
      return Promise.resolve({ id: 7, results, counts });
    },
  };
  return { tools: new FleetTools(deps), runs };
}

describe('fleet tools', () => {
  const never = new AbortController().signal;

  test('listMachines names the fleet, the role, and each machine with presence, OS and last seen', async () => {
    const { tools } = toolsWith({ role: 'Owner' });
    const text = await tools.listMachines({ hostname: 'web-*, batch-*' });
    assert.match(text, /Fleet "Acme Production" \(id acme-prod\); the user's role there: Owner \(as alice@acme.test\)/);
    assert.match(text, /4 machines \(matching web-\*, batch-\*\), 3 online:/);
    assert.match(text, /- batch-1: offline, OS linux, last seen 2026-11-22T10:00:00Z/);
    assert.ok(text.indexOf('web-2') < text.indexOf('web-10'), 'hostname order');
    assert.doesNotMatch(await tools.listMachines({ onlineOnly: true }), /batch-1/);
    assert.match(await tools.listMachines({ fleet: 'partner lab' }), /role there: Guest[\s\S]*observer-only/);
  });

  test('a long machine list is cut to the budget with a note saying how to narrow it', async () => {
    const many = Array.from({ length: 500 }, (_, i) => host(`node-${i}`));
    const { tools } = toolsWith({ machines: many });
    const text = await tools.listMachines({}, { tokens: 500 });
    assert.ok(estimateTokens(text) <= 500, `${estimateTokens(text)} tokens`);
    assert.match(text, /… and \d+ more machines not listed; narrow the list/);
  });

  test('runCommand runs on the resolved machines, groups identical outputs and lists offline ones as skipped', async () => {
    const { tools, runs } = toolsWith({ output: (h) => (h === 'web-10' ? 'different\n' : 'same\n') });
    const text = await tools.runCommand({ machines: ['web-*', 'batch-1'], command: 'uptime' }, never);
    assert.deepEqual(runs[0].hostnames, ['batch-1', 'web-1', 'web-2', 'web-10']);
    assert.equal(runs[0].namedExactly, false);
    assert.equal(runs[0].timeoutMs, 300_000);
    assert.match(text, /Ran `uptime` on 3 machines in Acme Production \(run #7 in the CMDOP Runs view\)/);
    assert.match(text, /Skipped, not run: batch-1 \(offline\)/);
    assert.match(text, /web-1 \(exit 0\), web-2 \(exit 0\) — same output:\n```\nsame\n```/);
    assert.match(text, /web-10 \(exit 0\):\n```\ndifferent\n```/);
  });

  test('outputs are trimmed to the budget VS Code passes', async () => {
    const { tools } = toolsWith({ output: (h) => `${h}\n${'x'.repeat(20_000)}\nlast line of ${h}\n` });
    const text = await tools.runCommand({ machines: ['web-1', 'web-2'], command: 'journalctl' }, never, { tokens: 1000 });
    assert.ok(estimateTokens(text) <= 1000, `${estimateTokens(text)} tokens`);
    assert.match(text, /last line of web-1/);
    assert.match(text, /characters cut/);
  });

  test('a Guest, an unknown hostname, a fleet the user cannot use and a signed-out user get sentences and nothing runs', async () => {
    const guest = toolsWith({ role: 'Guest' });
    assert.match(
      await guest.tools.runCommand({ machines: ['web-1'], command: 'uptime' }, never),
      /^Nothing was run: the user is a Guest in fleet "Acme Production"/,
    );
    assert.equal(guest.runs.length, 0);
    // Known locally to be a Guest: no confirmation is asked for a run that will be refused.
    assert.equal(guest.tools.prepareRun({ machines: ['web-1'], command: 'uptime' }).confirmation, undefined);

    const { tools, runs } = toolsWith();
    assert.match(
      await tools.runCommand({ machines: ['web-3'], command: 'uptime' }, never),
      /Nothing was run: in fleet "Acme Production" there is no machine "web-3" \(closest: web-1, web-2, web-10\)/,
    );
    assert.match(
      await tools.runCommand({ fleet: 'nope', machines: ['web-1'], command: 'uptime' }, never),
      /cannot use a fleet "nope".*"Acme Production" \(id acme-prod, Member\)/,
    );
    assert.match(await tools.runCommand({ machines: 'web-1', command: 'uptime' }, never), /^Nothing was run: "machines" must be/);
    assert.equal(runs.length, 0);

    const out = toolsWith({ signedIn: false });
    assert.match(await out.tools.listMachines({}), /not signed in to CMDOP.*"CMDOP: Sign In"/);
  });

  test('a fleet seen as Guest in an earlier answer is not confirmed, and a role changed since then makes the run ask', async () => {
    const { tools, runs } = toolsWith();
    const input = { fleet: 'Partner Lab', machines: ['lab-1'], command: 'uptime' };
    // Not known yet: VS Code asks, whatever the role turns out to be.
    assert.ok(tools.prepareRun(input).confirmation);
    await tools.listMachines({ fleet: 'partner-lab' });
    assert.equal(tools.prepareRun(input).confirmation, undefined);
    assert.match(await tools.runCommand(input, never), /^Nothing was run: the user is a Guest in fleet "Partner Lab"/);
    assert.equal(runs.length, 0);

    // Guest when prepared, Member by the time invoke asks the server: the run is marked as not confirmed in chat.
    const promoted = toolsWith({ role: 'Guest', serverRole: 'Member' });
    const run = { machines: ['web-1'], command: 'uptime' };
    assert.equal(promoted.tools.prepareRun(run).confirmation, undefined);
    await promoted.tools.runCommand(run, never);
    assert.equal(promoted.runs[0].confirmedInChat, false);
    // A confirmed call of the same input afterwards is not mistaken for the unconfirmed one.
    await promoted.tools.runCommand(run, never);
    assert.equal(promoted.runs[1].confirmedInChat, true);
  });

  test('prepareRun answers from the input alone: title, hosts, command and warning', () => {
    const { tools } = toolsWith();
    const prepared = tools.prepareRun({ machines: ['web-1'], command: 'rm -rf /tmp/cache' });
    assert.equal(prepared.confirmation?.title, 'Run on 1 machine in Acme Production?');
    assert.match(prepared.confirmation?.message ?? '', /removes files \(rm\)/);
  });
});
