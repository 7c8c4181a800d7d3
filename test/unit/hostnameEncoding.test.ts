import assert from 'node:assert/strict';
import { test } from 'node:test';
import { agentIdEntry } from '../../src/core/relay/agentIdMetadata';
import { transcriptFileName } from '../../src/core/relay/transcriptFileName';

test('an ASCII hostname travels as upstream text metadata, byte for byte', () => {
  assert.deepEqual(agentIdEntry('web-1'), ['x-cmdop-agent-id', 'web-1']);
});

test('a non-ASCII hostname travels as UTF-8 bytes in the -bin key', () => {
  for (const name of ['сервер-1', '웹-서버', 'خادم', 'café']) {
    const [key, value] = agentIdEntry(name);
    assert.equal(key, 'x-cmdop-agent-id-bin');
    assert.equal(Buffer.from(value).toString('utf8'), name);
  }
});

test('a transcript file name is the hostname when safe, a fixed-length hash otherwise', () => {
  assert.equal(transcriptFileName('web-1', 2), 'web-1-2.log');
  const names = ['сервер-1', '웹-서버', 'a/../b', 'x'.repeat(300)];
  const files = names.map((name) => transcriptFileName(name, 1));
  for (const file of files) assert.match(file, /^host-[0-9a-f]{16}-1\.log$/);
  assert.equal(new Set(files).size, names.length);
});
