import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommandHistory } from '../../src/core/fanOut/commandHistory';
import { sourceLabel, describeSource, SOURCE_ORDER } from '../../src/core/credentials/credential';
import { DEFAULT_ENDPOINTS, endpointsFor, parseMode } from '../../src/core/credentials/endpoints';
import { MemorySecrets } from './support/memory';

describe('endpoints and labels', () => {
  it('each mode has its own defaults and the setting overrides field by field', () => {
    assert.notEqual(DEFAULT_ENDPOINTS.prod.issuer, DEFAULT_ENDPOINTS.dev.issuer);
    const e = endpointsFor('dev', { dev: { api: 'http://127.0.0.1:9001/' }, prod: { api: 'https://nope' } });
    assert.equal(e.api, 'http://127.0.0.1:9001');
    assert.equal(e.issuer, DEFAULT_ENDPOINTS.dev.issuer);
    assert.equal(parseMode('dev'), 'dev');
    assert.equal(parseMode('anything'), 'prod');
  });

  it('rejects unusable endpoints with a message that says what to write', () => {
    assert.throws(() => endpointsFor('dev', { dev: { relay: 'http://x' } }), /must be host:port/);
    assert.throws(() => endpointsFor('dev', { dev: { issuer: 'ftp://x' } }), /http\(s\) URL/);
  });

  it('labels every source for the status bar and names it in errors', () => {
    assert.equal(sourceLabel('oauth'), 'OAuth');
    assert.equal(sourceLabel('env'), 'API key (env)');
    assert.equal(sourceLabel('active'), 'API key (stored)');
    for (const s of SOURCE_ORDER) assert.ok(describeSource(s).length > 5);
    assert.match(describeSource('env'), /CMDOP_API_KEY/);
  });

  it('keeps recent commands newest first, without duplicates, in secret storage', async () => {
    const secrets = new MemorySecrets();
    const history = new CommandHistory(secrets);
    await history.add('uptime');
    await history.add('df -h');
    await history.add('uptime');
    assert.deepEqual(await history.list(), ['uptime', 'df -h']);
    assert.ok([...secrets.values.keys()].every((k) => k.startsWith('cmdop.')));
  });
});
