import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RelayClient } from '../../src/core/relay/relayClient';
import { REDACTED, redactForm, redactHeaders, redactText, redactUrl } from '../../src/core/network/redact';
import { loggingFetch, type RequestLogger } from '../../src/core/network/requestLog';
import { startRecordingRelay } from './support/recordingRelay';

const KEY = 'cmdop_prodKEYabc123_-xyz';
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';
const OPAQUE = 'Zk3xY8_opaqueAccessToken-99';

class LineLog implements RequestLogger {
  readonly lines: { level: 'debug' | 'trace'; text: string }[] = [];
  debug = (text: string) => void this.lines.push({ level: 'debug', text });
  trace = (text: string) => void this.lines.push({ level: 'trace', text });
  get all(): string {
    return this.lines.map((l) => l.text).join('\n');
  }
}

describe('redaction', () => {
  it('removes bearer tokens, CMDOP keys, JWTs and secret name=value / JSON pairs from free text', () => {
    const text = redactText(
      `Authorization: Bearer ${OPAQUE}; key ${KEY} id ${JWT} refresh_token=${OPAQUE}&device_code=abc-def&page=2 {"access_token":"${OPAQUE}","user_code":"WXYZ-1234","name":"ok"}`,
    );
    for (const secret of [KEY, JWT, OPAQUE, 'abc-def', 'WXYZ-1234']) assert.ok(!text.includes(secret), `${secret} left in: ${text}`);
    assert.match(text, /Bearer \[redacted\]/);
    assert.match(text, /page=2/);
    assert.match(text, /"name":"ok"/);
  });

  it('removes single-quoted, camelCase, header-style and query-style credentials from free text', () => {
    const text = redactText(
      `{'access_token': '${OPAQUE}'} {"accessToken":"${OPAQUE}1"} x-api-key: ${OPAQUE}2\nGET /cb?state=s&access_token=${OPAQUE}3 (access_token=${OPAQUE}4) refreshToken=${OPAQUE}5 page=3`,
    );
    for (const n of ['', '1', '2', '3', '4', '5']) assert.ok(!text.includes(OPAQUE + n), `${OPAQUE + n} left in: ${text}`);
    assert.match(text, /'access_token': '\[redacted\]'/);
    assert.match(text, /"accessToken":"\[redacted\]"/);
    assert.match(text, /x-api-key: \[redacted\]/);
    assert.match(text, /state=s/);
    assert.match(text, /page=3/);
  });

  it("keeps a URL's origin, path and harmless query; replaces secret parameters and user info", () => {
    const url = redactUrl(`https://user:pw@api.test/api/fleets/acme/machines/?page=1&search=web&access_token=${OPAQUE}&user_code=WXYZ`);
    assert.equal(url, `https://api.test/api/fleets/acme/machines/?page=1&search=web&access_token=${REDACTED}&user_code=${REDACTED}`);
    assert.ok(!redactUrl('not a url with token=zzz').includes('zzz'));
  });

  it("replaces credential headers by name and redacts the others' values", () => {
    const headers = redactHeaders([
      ['Authorization', `Bearer ${OPAQUE}`],
      ['x-admin-token', 'adm'],
      ['accept', 'application/json'],
      ['x-debug', `key=${KEY}`],
    ]);
    assert.deepEqual(headers, {
      authorization: REDACTED,
      'x-admin-token': REDACTED,
      accept: 'application/json',
      'x-debug': `key=${REDACTED}`,
    });
  });

  it("keeps a form's field names and redacts the values of secret fields", () => {
    assert.equal(
      redactForm(`grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=${OPAQUE}&client_id=cmdop-vscode`),
      `grant_type=urn:ietf:params:oauth:grant-type:device_code&device_code=${REDACTED}&client_id=cmdop-vscode`,
    );
  });
});

describe('request logging', () => {
  it('logs each fetch at debug with method, path, status and duration; trace adds redacted headers and body', async () => {
    const log = new LineLog();
    const fetchImpl = loggingFetch(log, async () => new Response('{}', { status: 401, statusText: 'Unauthorized' }));
    await fetchImpl('http://127.0.0.1:9/token', {
      method: 'POST',
      headers: { authorization: `Bearer ${OPAQUE}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: OPAQUE }),
    });
    const debug = log.lines.filter((l) => l.level === 'debug').map((l) => l.text);
    assert.equal(debug.length, 1);
    assert.match(debug[0], /^HTTP POST http:\/\/127\.0\.0\.1:9\/token → 401 Unauthorized \(\d+ ms\)$/);
    const trace = log.lines.find((l) => l.level === 'trace')!.text;
    assert.match(trace, /"authorization":"\[redacted\]"/);
    assert.match(trace, /grant_type=refresh_token&refresh_token=\[redacted\]/);
    assert.ok(!log.all.includes(OPAQUE));
  });

  it('logs a failed fetch with its redacted error and rethrows it', async () => {
    const log = new LineLog();
    const fetchImpl = loggingFetch(log, async () => {
      throw new Error(`connect ECONNREFUSED (sent ${KEY})`);
    });
    await assert.rejects(fetchImpl(new URL(`http://127.0.0.1:9/api/whoami?token=${OPAQUE}`)), /ECONNREFUSED/);
    assert.match(log.all, /HTTP GET http:\/\/127\.0\.0\.1:9\/api\/whoami\?token=\[redacted\] → failed: connect ECONNREFUSED/);
    assert.ok(!log.all.includes(KEY) && !log.all.includes(OPAQUE));
  });

  describe('relay calls', () => {
    let relay: Awaited<ReturnType<typeof startRecordingRelay>>;
    before(async () => {
      relay = await startRecordingRelay();
    });
    after(async () => {
      await relay.close();
    });

    it('the gRPC interceptor logs RPC, status and duration; metadata at trace with the key redacted', async () => {
      const log = new LineLog();
      const client = new RelayClient(
        {
          address: relay.address,
          fleetId: 'acme',
          fleetName: 'Acme',
          credential: { kind: 'apiKey', source: 'explicit', secret: KEY, fleetId: 'acme' },
        },
        log,
      );
      try {
        await client.health();
        await assert.rejects(client.resize('nope', 80, 24)); // unimplemented on the recorder
      } finally {
        client.close();
      }
      assert.equal(relay.calls.at(-1)?.authorization, `Bearer ${KEY}`, 'the key still reaches the relay');
      const debug = log.lines.filter((l) => l.level === 'debug').map((l) => l.text);
      assert.match(debug[0], /^gRPC \/terminal\.TerminalStreamingService\/HealthCheck → OK \(\d+ ms\)$/);
      assert.match(debug[1], /^gRPC \/terminal\.TerminalStreamingService\/SendResize → UNIMPLEMENTED \(\d+ ms\): /);
      assert.match(log.all, /"authorization":"\[redacted\]"/);
      assert.match(log.all, /"workspace_id":"acme"/);
      assert.ok(!log.all.includes(KEY));
    });
  });
});
