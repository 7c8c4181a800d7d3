// Names a hostile fleet gives its machines (fleet server --hostile-names: a command link, a $(alert) codicon,
// terminal escapes, a right-to-left override, 300 characters) show as inert text in the Machines tree, its
// hover, a notification and a terminal's status lines. Terminal bytes are read from the extension's transcript
// (CMDOP_TERMINAL_TRANSCRIPT_DIR): the page keeps only what is drawn.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'node:test';
import { HOSTILE_HOSTNAME, LONG_HOSTNAME } from '../../fleet-server/src/index';
import { type Session, useWorkbench, waitFor } from './harness';
import { signInThroughUi } from './flows/deviceSignIn';
import { fleetOf, fleetSession } from './flows/fleetSession';

const VIEW = 'Machines';
/** What the hostile hostname reads as once its escapes, controls and bidi override are gone. */
const SHOWN = 'evil-1[x](command:cmdop.signOut)$(alert)RTL';
const ROW = /^\s*evil-1\[x\]/;
const BIDI = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/;
const transcripts = mkdtempSync(join(tmpdir(), 'cmdop-hostile-transcripts-'));

/** Visible text with the zero-width joiners that break `](` and `$(` taken out. */
const visible = (text: string) => text.replace(/\u200d/g, '');

function hostileTranscript(): string {
  for (const file of readdirSync(transcripts)) {
    const text = readFileSync(join(transcripts, file), 'utf8');
    if (text.includes('Connecting to evil-1')) return text;
  }
  return '';
}

async function hostileRow(session: Session) {
  const item = await session.wb.views.waitForTreeItem(VIEW, ROW);
  return { item, row: session.wb.views.treeRow(VIEW, ROW) };
}

describe('hostile machine names are inert text', () => {
  const ui = useWorkbench(() =>
    fleetSession('hostile-names', { fleet: { hostileNames: true }, env: { CMDOP_TERMINAL_TRANSCRIPT_DIR: transcripts } }),
  );

  ui.test('the Machines tree shows the literal name: no codicon drawn, no link, "online · linux" not reversed', async (wb, session) => {
    await wb.views.openContainer('CMDOP');
    await signInThroughUi(session, fleetOf(session).issuer);
    await wb.statusBar.waitForText('cmdop.status', /OAuth$/, 30_000);
    await wb.views.expandTreeItem(VIEW, 'Acme Production');
    const { item, row } = await hostileRow(session);
    assert.equal(visible(item.label), SHOWN);
    assert.ok(!BIDI.test(item.label) && !BIDI.test(item.description), JSON.stringify(item));
    assert.equal(item.description, 'linux · online');
    // The only codicon in the row is our machine icon: `$(alert)` is not drawn as one.
    assert.equal(await row.locator('.codicon-alert').count(), 0);
    assert.equal(await row.locator('.label-name .codicon').count(), 0);
    // The label sits in an <a> of its own; a rendered link would have a target.
    assert.equal(await row.locator('a[href], a[data-href]').count(), 0);
    const long = await wb.views.waitForTreeItem(VIEW, /^\s*long-x/);
    assert.ok([...long.label].length <= 80 && long.label.endsWith('…'), long.label);
    assert.ok(!long.label.includes(LONG_HOSTNAME));
  });

  ui.test('its hover shows the name as text, with no link in it', async (_wb, session) => {
    const { row } = await hostileRow(session);
    const hover = session.page.locator('.monaco-hover:not(.hidden), .workbench-hover').first();
    const text = await waitFor(
      'the machine hover',
      async () => {
        await row.locator('.label-name').hover();
        const shown = await hover.innerText({ timeout: 2_000 }).catch(() => '');
        return shown.includes('online') ? shown : undefined;
      },
      { timeoutMs: 30_000 },
    );
    assert.ok(visible(text).includes(SHOWN), text);
    assert.ok(!BIDI.test(text), text);
    assert.equal(await hover.locator('a').count(), 0);
    assert.equal(await hover.locator('.codicon-alert').count(), 0);
    await session.page.mouse.move(0, 0);
  });

  ui.test('a terminal status line and a notification carry the name as text: no escape, no link', async (wb, session) => {
    const { row } = await hostileRow(session);
    await row.click({ button: 'right' });
    const entry = session.page.locator('.context-view .monaco-menu .action-item:not(.disabled) .action-label', { hasText: 'Open Shell' });
    await entry.first().waitFor({ state: 'visible', timeout: 10_000 });
    await entry.first().hover();
    await session.page.keyboard.press('Enter');
    // The shell's own prompt prints $HOSTNAME raw (it is the machine's output, and clears the screen), so the
    // terminal is read from the transcript: first our status line, then the shell's output after it.
    await waitFor('the shell to open', async () => (/RTL:~[#$] /.test(hostileTranscript()) ? true : undefined), { timeoutMs: 30_000 });
    // The machine goes away under the open shell: a status line in the terminal and a notification name it.
    await fleetOf(session).stopMachine('acme-prod', HOSTILE_HOSTNAME);
    const toast = await wb.notifications.waitFor(/went offline/, 30_000);
    assert.ok(visible(toast.message).includes(`CMDOP: ${SHOWN} went offline.`), toast.message);
    const message = session.page.locator('.notifications-toasts .notification-list-item-message', { hasText: 'went offline' }).first();
    assert.equal(await message.locator('a').count(), 0, 'the command link was rendered as a link');
    assert.equal(await message.locator('.codicon').count(), 0, 'the $(alert) was rendered as a codicon');
    const bytes = await waitFor('the went-offline line in the transcript', async () => {
      const text = hostileTranscript();
      return text.includes('went offline]') ? text : undefined;
    });
    const statusLines = bytes.split('\r\n').filter((l) => /Connecting to evil-1|evil-1.* went offline\]/.test(l));
    assert.equal(statusLines.length, 2, JSON.stringify(bytes));
    for (const line of statusLines) {
      const ours = line.replace(/\x1b\[(0|2|31|33)m/g, '');
      assert.ok(!ours.includes('\x1b') && !ours.includes('\x07') && !BIDI.test(ours), JSON.stringify(line));
      assert.ok(visible(ours).includes(SHOWN), JSON.stringify(line));
    }
  });
});
