import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Emitter } from '../../src/core/emitter';
import { CredentialRefusedError } from '../../src/core/errors';
import { RelayCallError, Status } from '../../src/core/relay/relayErrors';
import type { RemoteSession, SessionExit } from '../../src/core/relay/remoteSession';
import { type TerminalClock, TerminalConnection, type TerminalNotice } from '../../src/core/relay/terminalConnection';

const plain = (text: string) => text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
const settle = async () => {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
};

/** Timers that run only when the test moves the clock. */
class FakeClock implements TerminalClock {
  time = 0;
  private timers: { at: number; run: () => void; id: number }[] = [];
  private ids = 0;
  /** The waits of every timer set so far (the 0 ms input re-checks included). */
  readonly waits: number[] = [];
  setTimeout(run: () => void, ms: number): unknown {
    this.waits.push(ms);
    const id = ++this.ids;
    this.timers.push({ at: this.time + ms, run, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }
  now(): number {
    return this.time;
  }
  /** Moves time forward by `ms`, running each timer that falls due (and what it starts) in order. */
  async advance(ms: number): Promise<void> {
    const until = this.time + ms;
    for (;;) {
      await settle();
      const due = this.timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = due.at;
      due.run();
    }
    this.time = until;
    await settle();
  }
  get pending(): number[] {
    return this.timers.map((t) => t.at - this.time).filter((w) => w > 0);
  }
}

/** A session whose relay calls the test answers. */
class FakeSession implements RemoteSession {
  readonly sessionId = 's-1';
  readonly output = new Emitter<Uint8Array>();
  readonly exits = new Emitter<SessionExit>();
  readonly drops = new Emitter<Error>();
  readonly gaps = new Emitter<number>();
  readonly onOutput = this.output.event;
  readonly onExit = this.exits.event;
  readonly onDisconnect = this.drops.event;
  readonly onGap = this.gaps.event;
  bytesReceived = 0;
  written: string[] = [];
  resumes = 0;
  closed: string[] = [];
  /** What the next resize (the reconnect probe) does; undefined answers. */
  resizeFails: Error[] = [];
  writeFails: Error[] = [];
  show(text: string): void {
    this.bytesReceived += Buffer.byteLength(text);
    this.output.fire(Buffer.from(text));
  }
  resume(): Promise<void> {
    this.resumes++;
    return Promise.resolve();
  }
  write(data: Uint8Array): Promise<void> {
    const fail = this.writeFails.shift();
    if (fail) return Promise.reject(fail);
    this.written.push(Buffer.from(data).toString('utf8'));
    return Promise.resolve();
  }
  resize(): Promise<void> {
    const fail = this.resizeFails.shift();
    return fail ? Promise.reject(fail) : Promise.resolve();
  }
  close(reason?: string): Promise<void> {
    this.closed.push(reason ?? '');
    return Promise.resolve();
  }
  detach(): void {
    this.closed.push('detached');
  }
}

const unavailable = () => new RelayCallError(Status.UNAVAILABLE, 'relay connection dropped');

async function openShell(options: { command?: string } = {}) {
  const clock = new FakeClock();
  const sessions: FakeSession[] = [];
  const shown: string[] = [];
  const notices: TerminalNotice[] = [];
  const closes: number[] = [];
  const logs: string[] = [];
  const credentialChanges = new Emitter<void>();
  let renewals = 0;
  const connection = new TerminalConnection({
    hostname: 'web-1',
    fleetName: 'Acme Production',
    command: options.command,
    openSession: () => {
      const session = new FakeSession();
      sessions.push(session);
      return Promise.resolve(session);
    },
    health: () => Promise.resolve(),
    renewCredential: () => {
      renewals++;
      return Promise.resolve();
    },
    onCredentialsChange: credentialChanges.event,
    log: { info: (m) => logs.push(m), warn: (m) => logs.push(m) },
    clock,
  });
  connection.onDidWrite((text) => shown.push(text));
  connection.onNotice((n) => notices.push(n));
  connection.onDidClose((code) => closes.push(code));
  connection.open({ columns: 100, rows: 30 });
  await settle();
  return {
    connection,
    clock,
    sessions,
    notices,
    closes,
    logs,
    renewals: () => renewals,
    text: () => plain(shown.join('')),
    session: () => sessions.at(-1)!,
  };
}

describe('terminal connection', () => {
  it('an outage is retried with backoff, no key press, and output resumes at the last byte shown', async () => {
    const t = await openShell();
    t.session().show('line 1\n');
    t.session().resizeFails.push(unavailable(), unavailable());
    t.session().drops.fire(unavailable());
    assert.match(t.text(), /Connection to the relay lost \(relay connection dropped\); reconnecting…/);
    assert.deepEqual(t.clock.pending, [500]);
    await t.clock.advance(500);
    assert.deepEqual(t.clock.pending, [1000], 'the second wait doubles');
    await t.clock.advance(1000);
    assert.deepEqual(t.clock.pending, [2000]);
    assert.equal(t.session().resumes, 0, 'no resume while the relay does not answer');
    await t.clock.advance(2000);
    assert.equal(t.session().resumes, 1);
    assert.ok(
      t.logs.some((l) => /output resumes at byte 7$/.test(l)),
      t.logs.join('\n'),
    );
    t.session().show('line 2\n');
    assert.equal(t.text().match(/reconnecting…/g)?.length, 1, 'one line for the whole outage');
    assert.match(t.text(), /line 1\n[\s\S]*line 2\n$/);
    // The next drop starts again from the first wait.
    t.session().drops.fire(unavailable());
    assert.deepEqual(t.clock.pending, [500]);
  });

  it('input typed while the relay is down (or refused as unavailable) is sent once, in order, after the reconnect', async () => {
    const t = await openShell();
    t.session().writeFails.push(unavailable());
    t.connection.handleInput('ab');
    await settle();
    t.session().drops.fire(unavailable());
    t.connection.handleInput('c');
    t.connection.handleInput('\r');
    await t.clock.advance(500);
    await t.clock.advance(500);
    assert.deepEqual(t.session().written, ['abc\r']);
    await t.clock.advance(10_000);
    assert.deepEqual(t.session().written, ['abc\r'], 'nothing is sent twice');
  });

  it('gives up after two minutes and offers Reconnect; R resumes the same session', async () => {
    const t = await openShell();
    t.session().resizeFails.push(...Array.from({ length: 50 }, unavailable));
    t.session().drops.fire(unavailable());
    await t.clock.advance(200_000);
    assert.match(t.text(), /Still no connection after 2 minutes/);
    assert.deepEqual(t.notices, [{ level: 'warning', message: 'CMDOP: Lost the connection to web-1.', reconnect: true }]);
    t.session().resizeFails.length = 0;
    t.connection.handleInput('R');
    await settle();
    assert.equal(t.session().resumes, 1);
    t.connection.handleInput('x');
    await settle();
    assert.deepEqual(t.session().written, ['x'], 'live again: keys go to the shell');
  });

  it('the machine went offline: input typed for the gone shell is dropped, never replayed into the new one', async () => {
    const t = await openShell();
    t.session().drops.fire(unavailable());
    t.connection.handleInput('echo away\r');
    t.session().exits.fire({ code: -1, signal: 0, reason: 'machine stopped' });
    assert.match(t.text(), /\[web-1 went offline\] Press R to open a new shell when it is back, Q to close\./);
    assert.match(t.text(), /\[10 characters typed while the connection was down were not sent: the shell they were for is gone\.\]/);
    assert.deepEqual(t.notices, [{ level: 'warning', message: 'CMDOP: web-1 went offline.', reconnect: true }]);
    assert.deepEqual(t.clock.pending, [], 'no retry is left running');
    t.connection.handleInput('r');
    await settle();
    assert.equal(t.sessions.length, 2);
    assert.match(t.text(), /Opening a new shell on web-1…/);
    t.connection.handleInput('echo fresh\r');
    await t.clock.advance(1000);
    assert.deepEqual(t.sessions[1].written, ['echo fresh\r']);
    assert.deepEqual(t.sessions[0].written, []);
  });

  it('an access token that expired mid-stream is renewed once and the shell carries on', async () => {
    const t = await openShell();
    t.session().drops.fire(new CredentialRefusedError('oauth', 'access token expired'));
    assert.equal(t.renewals(), 1);
    await t.clock.advance(500);
    assert.equal(t.session().resumes, 1);
    t.session().show('still here\n');
    assert.doesNotMatch(t.text(), /Press any key to close/);
    t.session().drops.fire(new CredentialRefusedError('oauth', 'access token expired'));
    assert.equal(t.renewals(), 2, 'renewed again after a successful reconnect');
  });

  it('a revoked OAuth session ends the shell and has the session checked with the identity provider once', async () => {
    const t = await openShell();
    t.session().drops.fire(new CredentialRefusedError('oauth', 'access token revoked: sign in again'));
    assert.equal(t.renewals(), 1, 'the keeper is told, so every window can show signed out');
    assert.match(t.text(), /Run "CMDOP: Sign In" to sign in again/);
    assert.deepEqual(t.clock.pending, []);
  });

  it('a revoked key is not an OAuth matter: the identity provider is not asked', async () => {
    const t = await openShell();
    t.session().drops.fire(new CredentialRefusedError('active', 'API key revoked'));
    assert.equal(t.renewals(), 0);
  });

  it('a revoked key ends the session with its source and what to do; the next key closes the terminal', async () => {
    const t = await openShell();
    t.session().drops.fire(new CredentialRefusedError('active', 'API key revoked'));
    assert.match(t.text(), /\[Active fleet's stored API key was refused: API key revoked\]/);
    assert.match(t.text(), /CMDOP: Add Fleet API Key/);
    assert.equal(t.notices[0]?.level, 'error');
    assert.deepEqual(t.session().closed, ['credential refused']);
    assert.deepEqual(t.clock.pending, []);
    t.connection.handleInput('x');
    assert.deepEqual(t.closes, [1]);
    assert.deepEqual(t.session().written, []);
  });

  it('the relay restarted without the session: one plain sentence, R opens a new shell, nothing typed before is replayed', async () => {
    const t = await openShell();
    t.session().resizeFails.push(new RelayCallError(Status.NOT_FOUND, 'no session 6f1c… in fleet acme-prod'));
    t.session().drops.fire(unavailable());
    t.connection.handleInput('ls\r');
    await t.clock.advance(500);
    assert.match(
      t.text(),
      /\[The shell on web-1 ended with the relay, which restarted\.\] Press R to open a new shell on web-1, Q to close\./,
    );
    assert.doesNotMatch(t.text(), /no session|acme-prod/);
    assert.match(t.text(), /3 characters typed while the connection was down were not sent/);
    t.connection.handleInput('r');
    await settle();
    assert.equal(t.sessions.length, 2);
    t.connection.handleInput('pwd\r');
    await settle();
    assert.deepEqual(t.sessions[1].written, ['pwd\r']);
  });

  it('a command whose session the restarted relay lost ends as an error, not exit 0', async () => {
    const t = await openShell({ command: 'make deploy' });
    t.session().drops.fire(new RelayCallError(Status.NOT_FOUND, 'no session 6f1c… in fleet acme-prod'));
    assert.match(t.text(), /\[The command on web-1 ended with the relay, which restarted\.\]/);
    t.connection.handleInput('x');
    assert.deepEqual(t.closes, [1]);
  });

  it('a command whose session was closed by someone else ends as an error with the reason, not exit 0', async () => {
    const t = await openShell({ command: 'make deploy' });
    t.session().exits.fire({ code: 0, signal: 0, reason: 'closed' });
    assert.match(t.text(), /\[The session on web-1 ended before the command did \(closed\); its exit code is unknown/);
    t.connection.handleInput('x');
    assert.deepEqual(t.closes, [1]);
  });

  it('closing the terminal ends the session, stops retrying and drops every listener', async () => {
    const t = await openShell();
    t.session().drops.fire(unavailable());
    const before = t.text();
    t.connection.close();
    assert.deepEqual(t.session().closed, ['terminal closed']);
    assert.deepEqual(t.clock.pending, []);
    t.session().show('late output');
    t.session().drops.fire(unavailable());
    assert.equal(t.text(), before, 'nothing reaches the closed terminal');
  });
});
