import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { plainText } from '../../src/core/fanOut/ansi';
import { BoundedOutput } from '../../src/core/fanOut/boundedOutput';
import { type CommandExit, type CommandRunner, FanOut, type MachineResult } from '../../src/core/fanOut/fanOut';
import { groupOutputs } from '../../src/core/fanOut/grouping';
import { hostMatcher } from '../../src/core/fanOut/hostGlob';
import { RunHistory } from '../../src/core/fanOut/runHistory';
import { countsLabel, failuresFirst, runAsMarkdown } from '../../src/core/fanOut/runReport';

interface Script {
  delayMs?: number;
  exitCode?: number;
  output?: string;
  /** Never exits on its own. */
  hang?: boolean;
  throws?: string;
}

/** A runner whose machines behave as scripted, recording what is open at any moment. */
class ScriptedRunner implements CommandRunner {
  open = new Set<string>();
  peak = 0;
  started: string[] = [];
  closed: string[] = [];

  constructor(private readonly scripts: (hostname: string) => Script) {}

  run(hostname: string, _command: string, io: { signal: AbortSignal; onOutput(data: Uint8Array): void }): Promise<CommandExit> {
    const script = this.scripts(hostname);
    this.started.push(hostname);
    this.open.add(hostname);
    this.peak = Math.max(this.peak, this.open.size);
    return new Promise((resolve, reject) => {
      const end = () => this.open.delete(hostname);
      const timer = script.hang
        ? undefined
        : setTimeout(() => {
            end();
            if (script.output) io.onOutput(Buffer.from(script.output));
            if (script.throws) reject(new Error(script.throws));
            else resolve({ exitCode: script.exitCode ?? 0 });
          }, script.delayMs ?? 1);
      io.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        // Closing the session takes a moment, like a real CloseSession call.
        setTimeout(() => {
          this.closed.push(hostname);
          end();
          reject(io.signal.reason);
        }, 5);
      });
    });
  }
}

const hosts = (n: number) => Array.from({ length: n }, (_, i) => `node-${i + 1}`);

describe('fan-out engine', () => {
  test('never has more sessions open than the concurrency bound, and runs every machine', async () => {
    const runner = new ScriptedRunner((h) => ({ delayMs: 1 + (Number(h.slice(5)) % 7) }));
    const fanOut = new FanOut({ command: 'hostname', targets: hosts(100), runner, concurrency: 8, timeoutMs: 0 });
    const results = await fanOut.done;
    assert.equal(results.length, 100);
    assert.equal(runner.peak, 8, 'the bound is used fully but never exceeded');
    assert.equal(fanOut.peakConcurrency, 8);
    assert.deepEqual(new Set(runner.started), new Set(hosts(100)));
    assert.equal(fanOut.counts().ok, 100);
  });

  test('a bound larger than the fleet opens one session per machine', async () => {
    const runner = new ScriptedRunner(() => ({ delayMs: 5 }));
    await new FanOut({ command: 'x', targets: hosts(3), runner, concurrency: 16, timeoutMs: 0 }).done;
    assert.equal(runner.peak, 3);
  });

  test('starts machines in the given order and announces results in the order they finish', async () => {
    const delays: Record<string, number> = { a: 60, b: 5, c: 30, d: 1 };
    const runner = new ScriptedRunner((h) => ({ delayMs: delays[h], exitCode: h === 'c' ? 2 : 0 }));
    const fanOut = new FanOut({ command: 'x', targets: ['a', 'b', 'c', 'd'], runner, concurrency: 4, timeoutMs: 0 });
    const announced: string[] = [];
    fanOut.onResult((r) => announced.push(r.hostname));
    const results = await fanOut.done;
    assert.deepEqual(runner.started, ['a', 'b', 'c', 'd']);
    assert.deepEqual(announced, ['d', 'b', 'c', 'a']);
    assert.deepEqual(
      results.map((r) => r.hostname),
      announced,
    );
    assert.equal(results.find((r) => r.hostname === 'c')?.outcome, 'failed');
    assert.equal(results.find((r) => r.hostname === 'c')?.exitCode, 2);
  });

  test('cancel closes every open session and marks the rest cancelled', async () => {
    const runner = new ScriptedRunner(() => ({ hang: true }));
    const fanOut = new FanOut({
      command: 'sleep 30',
      targets: hosts(10),
      skipped: [{ hostname: 'off-1', reason: 'offline' }],
      runner,
      concurrency: 4,
      timeoutMs: 0,
    });
    await waitUntil(() => runner.open.size === 4);
    fanOut.cancel();
    const results = await fanOut.done;
    assert.equal(results.length, 11);
    assert.deepEqual(runner.closed.sort(), ['node-1', 'node-2', 'node-3', 'node-4']);
    assert.equal(runner.open.size, 0);
    assert.equal(runner.started.length, 4, 'nothing starts after cancel');
    const c = fanOut.counts();
    assert.equal(c.cancelled, 10);
    assert.equal(c.skipped, 1);
    assert.match(results.find((r) => r.hostname === 'node-1')!.detail!, /while running/);
    assert.match(results.find((r) => r.hostname === 'node-9')!.detail!, /before it started/);
  });

  test('a machine past its timeout has its session closed and is marked timed out; the others go on', async () => {
    const runner = new ScriptedRunner((h) => (h === 'slow' ? { hang: true } : { delayMs: 2, output: 'fine\r\n' }));
    const fanOut = new FanOut({ command: 'x', targets: ['slow', 'a', 'b'], runner, concurrency: 2, timeoutMs: 50 });
    const results = await fanOut.done;
    const slow = results.find((r) => r.hostname === 'slow')!;
    assert.equal(slow.outcome, 'timeout');
    assert.match(slow.detail!, /50 ms/);
    assert.deepEqual(runner.closed, ['slow']);
    assert.equal(results.at(-1)?.hostname, 'slow');
    assert.equal(results.find((r) => r.hostname === 'a')?.output, 'fine\n');
  });

  test('a runner that ignores the abort gives its slot back after the grace period', async () => {
    const runner: CommandRunner = { run: () => new Promise(() => undefined) };
    const fanOut = new FanOut({ command: 'x', targets: ['stuck'], runner, concurrency: 1, timeoutMs: 10, abortGraceMs: 20 });
    const [result] = await fanOut.done;
    assert.equal(result.outcome, 'timeout');
  });

  test('a machine whose session cannot start is an error with the reason, not a lost row', async () => {
    const runner = new ScriptedRunner((h) => (h === 'bad' ? { throws: 'machine bad is offline' } : {}));
    const results = await new FanOut({ command: 'x', targets: ['bad', 'good'], runner, concurrency: 2, timeoutMs: 0 }).done;
    assert.deepEqual(results.map((r) => [r.hostname, r.outcome, r.detail]).sort(), [
      ['bad', 'error', 'machine bad is offline'],
      ['good', 'ok', undefined],
    ]);
  });

  test('output is bounded per machine and the cut is marked', async () => {
    const runner: CommandRunner = {
      run: async (_h, _c, io) => {
        for (let i = 0; i < 10; i++) io.onOutput(Buffer.alloc(100, 'x'));
        return { exitCode: 0 };
      },
    };
    const [r] = await new FanOut({ command: 'x', targets: ['a'], runner, concurrency: 1, timeoutMs: 0, outputLimitBytes: 250 }).done;
    assert.equal(r.truncated, true);
    assert.ok(r.output.startsWith('x'.repeat(250) + '\n[… output cut: 750 more bytes'), r.output);
  });
});

describe('fan-out results', () => {
  const result = (hostname: string, output: string, exitCode = 0): MachineResult => ({
    hostname,
    outcome: exitCode === 0 ? 'ok' : 'failed',
    exitCode,
    durationMs: 10,
    output,
    truncated: false,
  });

  test('identical outputs form one group, the biggest first, outliers apart', () => {
    const results = [
      ...hosts(5).map((h) => result(h, 'Linux\n')),
      result('mac-1', 'Darwin\n'),
      result('node-6', 'Linux  \n\n'),
      result('odd', 'Linux\nwarning\n', 1),
      { ...result('off', ''), outcome: 'skipped' as const },
    ];
    const { groups, majority } = groupOutputs(results);
    assert.equal(groups.length, 3);
    assert.deepEqual(
      majority?.hostnames,
      ['node-1', 'node-2', 'node-3', 'node-4', 'node-5', 'node-6'],
      'trailing blanks do not split a group',
    );
    assert.equal(majority?.output, 'Linux\n');
    assert.deepEqual(
      groups.slice(1).map((g) => g.hostnames),
      [['mac-1'], ['odd']],
    );
    assert.deepEqual(groups[2].exitCodes, [1]);
  });

  test('no majority when every machine printed something different, or on a tie', () => {
    assert.equal(groupOutputs([result('a', '1'), result('b', '2')]).majority, undefined);
    assert.equal(groupOutputs([result('a', '1'), result('b', '1'), result('c', '2'), result('d', '2')]).majority, undefined);
  });

  test('failures first, counts label, Markdown table escapes pipes', () => {
    const rs = [result('b', 'ok'), result('a', 'boom | bang', 3), { ...result('t', ''), outcome: 'timeout' as const }];
    assert.deepEqual(
      failuresFirst(rs).map((r) => r.hostname),
      ['a', 't', 'b'],
    );
    assert.equal(
      countsLabel({ ok: 37, failed: 2, error: 0, timeout: 1, cancelled: 0, skipped: 0, running: 0, pending: 0, total: 40 }),
      '✓ 37 ✗ 2 ⏱ 1',
    );
    const md = runAsMarkdown({ command: 'x', fleet: 'F', startedAt: 't', results: rs });
    assert.match(md, /\| a \| failed \| 3 \| 10 ms \| boom \\\| bang \|/);
  });

  test('ANSI sequences and CRLF are removed from output', () => {
    assert.equal(plainText('\x1b[1;31mred\x1b[0m\r\n\x1b]0;title\x07plain\r\n'), 'red\nplain\n');
  });

  test('BoundedOutput keeps everything under the limit', () => {
    const out = new BoundedOutput(10);
    out.append(Buffer.from('hello'));
    assert.equal(out.text(), 'hello');
    assert.equal(out.truncated, false);
  });

  test('hostname globs: wildcards, sets, several patterns, case-insensitive', () => {
    const m = hostMatcher('web-*, db-[12]');
    assert.deepEqual(['web-1', 'WEB-22', 'db-1', 'db-3', 'batch-1', 'xweb-1'].filter(m), ['web-1', 'WEB-22', 'db-1']);
    assert.equal(hostMatcher('node-?')('node-10'), false);
    assert.equal(hostMatcher('a.b')('axb'), false, 'dots are literal');
    assert.equal(hostMatcher('')('anything'), true);
  });

  test('the history keeps the last runs, never dropping one still going', async () => {
    const history = new RunHistory(2);
    const runner = new ScriptedRunner(() => ({ hang: true }));
    const going = new FanOut({ command: 'sleep', targets: ['a'], runner, concurrency: 1, timeoutMs: 0 });
    history.add({ command: 'sleep', fleetId: 'f', fleetName: 'F', startedAt: new Date(), fanOut: going });
    for (let i = 0; i < 3; i++) {
      const done = new FanOut({ command: `c${i}`, targets: [], runner, concurrency: 1, timeoutMs: 0 });
      history.add({ command: `c${i}`, fleetId: 'f', fleetName: 'F', startedAt: new Date(), fanOut: done });
    }
    assert.deepEqual(
      history.runs.map((r) => r.command),
      ['c2', 'sleep'],
    );
    going.cancel();
    await going.done;
  });
});

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 2));
  assert.ok(condition(), 'condition not reached');
}
