// Every line the extension logs passes the redactor: the log itself redacts, so no call site can forget.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { redactText } from '../../src/core/network/redact';
import { redactedLogLine, redactingLog } from '../../src/core/network/redactingLog';

const SECRET = 'Zk3xY8_opaqueAccessToken-99';

/** The parts of a LogOutputChannel the extension and the language client use, recording what reaches it. */
class RecordingChannel {
  readonly name = 'CMDOP';
  readonly written: string[] = [];
  shown = 0;
  private level = 2;
  get logLevel(): number {
    return this.level;
  }
  trace(message: string, ...args: unknown[]) {
    this.write('trace', message, args);
  }
  debug(message: string, ...args: unknown[]) {
    this.write('debug', message, args);
  }
  info(message: string, ...args: unknown[]) {
    this.write('info', message, args);
  }
  warn(message: string, ...args: unknown[]) {
    this.write('warn', message, args);
  }
  error(message: string | Error, ...args: unknown[]) {
    this.write('error', message, args);
  }
  append(text: string) {
    this.written.push(`append ${text}`);
  }
  appendLine(text: string) {
    this.written.push(`appendLine ${text}`);
  }
  replace(text: string) {
    this.written.push(`replace ${text}`);
  }
  show() {
    this.shown++;
  }
  private write(level: string, message: unknown, args: unknown[]) {
    assert.equal(typeof message, 'string', 'the channel gets one finished line');
    assert.equal(args.length, 0, 'arguments are folded into the line, redacted');
    this.written.push(`${level} ${String(message)}`);
  }
}

describe('redaction of free text', () => {
  it('covers every spelling of a secret field a client, an error or Node may print', () => {
    const cases = [
      `{'access_token': '${SECRET}'}`,
      `{"accessToken":"${SECRET}"}`,
      `body ends accessToken":"${SECRET}"`,
      `x-api-key: ${SECRET}`,
      `{"x-api-key": "${SECRET}"}`,
      `GET /cb?state=s&access_token=${SECRET}&page=2`,
      `redirect_uri=https%3A%2F%2Fhost%2Fcb%3Faccess_token%3D${SECRET}%26state%3Ds`,
      `{ accessToken: '${SECRET}', name: 'ok' }`,
      `access_token: ${SECRET}`,
      `"{\\"refresh_token\\":\\"${SECRET}\\"}"`,
      `access_token="${SECRET}"`,
      `password: "two ${SECRET} words"`,
    ];
    for (const text of cases) {
      const redacted = redactText(text);
      assert.ok(!redacted.includes(SECRET), `${SECRET} left in: ${redacted}`);
      assert.match(redacted, /\[redacted\]/, text);
    }
  });

  it('leaves ordinary words after a colon alone', () => {
    const text = 'status code: 500, missing key: fleet, page=2, name: "web-1"';
    assert.equal(redactText(text), text);
  });

  it('redacts a CMDOP key after key= as one value', () => {
    assert.equal(redactText('key=cmdop_abc123 page=2'), 'key=[redacted] page=2');
  });
});

describe('the redacting log', () => {
  it('redacts the message of every level, and the Error objects and arguments passed with it', () => {
    const channel = new RecordingChannel();
    const log = redactingLog(channel);
    log.trace(`trace access_token=${SECRET}`);
    log.debug(`debug {"accessToken":"${SECRET}"}`);
    log.info(`info x-api-key: ${SECRET}`);
    log.warn('warn', { access_token: SECRET, fleet: 'acme-prod' });
    log.error(new Error(`refused: {'access_token': '${SECRET}'}`));
    log.error('failed', new Error(`Bearer ${SECRET}`));
    assert.equal(channel.written.length, 6);
    for (const line of channel.written) assert.ok(!line.includes(SECRET), `${SECRET} left in: ${line}`);
    assert.match(channel.written[3], /^warn warn \{"access_token":"\[redacted\]","fleet":"acme-prod"\}$/);
    assert.match(channel.written[4], /^error Error: refused: \{'access_token': '\[redacted\]'\}/, 'an Error keeps its message');
  });

  it("redacts what a library writes as plain text (the language client's append, appendLine, replace)", () => {
    const channel = new RecordingChannel();
    const log = redactingLog(channel);
    log.append(`token=${SECRET}`);
    log.appendLine(`[Error] request failed: access_token=${SECRET}`);
    log.replace(`x-api-key: ${SECRET}`);
    assert.deepEqual(channel.written, [
      'append token=[redacted]',
      'appendLine [Error] request failed: access_token=[redacted]',
      'replace x-api-key: [redacted]',
    ]);
  });

  it("leaves the channel's other members its own", () => {
    const channel = new RecordingChannel();
    const log = redactingLog(channel);
    log.show();
    assert.equal(channel.shown, 1, 'methods run on the channel itself');
    assert.equal(log.name, 'CMDOP');
    assert.equal(log.logLevel, 2, 'getters read the channel');
  });

  it('folds arguments into one line, objects as JSON, and survives values JSON cannot write', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.equal(redactedLogLine('a', [1, undefined, 'b']), 'a 1 undefined b');
    assert.equal(redactedLogLine('cyclic', [cyclic]), 'cyclic [object Object]');
  });
});

describe('log sinks in src', () => {
  const sources = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
    );
  const files = sources(join(__dirname, '../../src')).map((path) => ({ path, text: readFileSync(path, 'utf8') }));

  it('every output channel is created inside redactingLog', () => {
    const created = files.flatMap(({ path, text }) =>
      [...text.matchAll(/createOutputChannel\(/g)].map((m) => ({ path, before: text.slice(Math.max(0, m.index - 40), m.index) })),
    );
    assert.ok(created.length > 0, 'the CMDOP log is found');
    for (const { path, before } of created)
      assert.match(before, /redactingLog\(\s*vscode\.window\.$/, `${path} creates an unredacted channel`);
  });

  it('every language client writes to the redacting log, not a channel of its own', () => {
    const clients = files.filter(({ text }) => text.includes('new LanguageClient('));
    assert.ok(clients.length > 0);
    for (const { path, text } of clients) assert.match(text, /outputChannel: host\.log/, `${path} lets its client create a channel`);
  });

  it('nothing in the extension writes to the console', () => {
    for (const { path, text } of files) {
      if (path.includes('runbook-server')) continue; // its connection.console goes to the client's (redacting) channel
      assert.doesNotMatch(text, /\bconsole\.(log|info|warn|error|debug)\(/, path);
    }
  });
});
