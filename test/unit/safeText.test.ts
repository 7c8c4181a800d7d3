import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  labelText,
  markdownText,
  MESSAGE_LIMIT,
  NAME_LIMIT,
  notificationName,
  notificationText,
  safeName,
  terminalText,
} from '../../src/core/display/safeText';

const COMMAND_LINK = 'web-1 [Fix it](command:cmdop.runOnMachines?%5B%22rm%22%5D)';
const CODICON = '$(check) trusted-host $(loading~spin)';
const ESCAPES = 'web\x1b[31m-red\x1b[0m\x1b]0;pwned\x07\x1b]8;;http://evil\x1b\\link\x9b2J\x07\x00';
const BIDI = 'db-\u202eexe.txt\u202c \u2066x\u2069 \u200e\u200f\u061c';
const LONG = 'h'.repeat(300);

describe('safe text', () => {
  it('breaks command links in notification text so no `](` survives, the words still read the same', () => {
    const text = notificationText(COMMAND_LINK);
    assert.ok(!text.includes(']('), text);
    assert.equal(text.replace(/\u200d/g, ''), COMMAND_LINK);
    assert.ok(!notificationName('[x](https://e.test)').includes(']('));
  });

  it('breaks $(icon) codicon syntax in labels, descriptions, tooltips and notifications', () => {
    for (const render of [labelText, notificationText]) {
      const text = render(CODICON);
      assert.ok(!text.includes('$('), text);
      assert.equal(text.replace(/\u200d/g, ''), CODICON);
    }
  });

  it('escapes every Markdown character in hover text: no link, image, emphasis, HTML or codicon', () => {
    const text = markdownText('**bold** [x](command:cmdop.signOut) ![i](http://e/i.png) <img src=x> `code` $(zap) # h');
    assert.ok(!/(^|[^\\])[[\]()*`<>#]/.test(text), text);
    assert.ok(!text.includes('$('), text);
  });

  it('removes escape sequences, C0/C1 controls and line breaks on every surface', () => {
    for (const render of [safeName, labelText, notificationText, markdownText, terminalText]) {
      const text = render(ESCAPES + '\r\nsecond line\u2028third');
      assert.ok(!/[\x00-\x1f\x7f-\x9f\u2028\u2029]/.test(text), JSON.stringify(text));
      assert.ok(!text.includes('[31m') && !text.includes('pwned') && !text.includes('http'), JSON.stringify(text));
    }
    assert.equal(terminalText(ESCAPES), 'web-redlink');
  });

  it('removes Unicode bidi overrides, embeddings, isolates and marks on every surface', () => {
    for (const render of [safeName, labelText, notificationText, markdownText, terminalText]) {
      assert.ok(!/[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/.test(render(BIDI)), render.name);
    }
    assert.equal(safeName(BIDI), 'db-exe.txt x ');
  });

  it('cuts long names and messages with an ellipsis, never inside a surrogate pair', () => {
    assert.equal([...safeName(LONG)].length, NAME_LIMIT);
    assert.ok(safeName(LONG).endsWith('…'));
    assert.equal([...notificationText('e'.repeat(1000))].length, MESSAGE_LIMIT);
    const emoji = '😀'.repeat(100);
    assert.equal(safeName(emoji), '😀'.repeat(NAME_LIMIT - 1) + '…');
    assert.equal(safeName('web-1'), 'web-1');
  });

  it('keeps non-ASCII hostnames (Cyrillic, CJK, Arabic, accents) as they are', () => {
    for (const name of ['сервер-01', '服务器-东京', 'خادم-١', 'café-münchen']) {
      assert.equal(safeName(name), name);
      assert.equal(labelText(name), name);
      assert.equal(terminalText(name), name);
    }
  });

  it('accepts missing values as empty text', () => {
    assert.equal(safeName(undefined), '');
    assert.equal(labelText(null), '');
  });
});
