// A fleet key belongs to the endpoints it was added for: after cmdop.endpoints points somewhere else, the stored key
// is never sent there (a recording API and relay stand in for the other servers), and the extension says why.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import { startRecordingRelay } from '../unit/support/recordingRelay';
import { useWorkbench, waitFor } from './harness';
import { fleetSession, seededKey } from './flows/fleetSession';

const STATUS = 'cmdop.status';

describe('a stored key is not sent after the endpoints change', () => {
  const ui = useWorkbench(() => fleetSession('credential-binding'));
  const seen: string[] = [];
  let api: Server;
  let relay: Awaited<ReturnType<typeof startRecordingRelay>>;

  before(async () => {
    // Answers every request 401 and records what credential it carried.
    api = createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"detail":"recorder"}');
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    relay = await startRecordingRelay();
  });
  after(async () => {
    await new Promise((resolve) => api?.close(resolve));
    await relay?.close();
  });

  ui.test(
    'the key added for the local fleet server is not sent to the new API or relay; the log says to add it again',
    async (wb, session) => {
      const key = seededKey(session, 'acme-prod', 'ci-deploy');
      await wb.statusBar.waitForText(STATUS, 'CMDOP: Sign in', 60_000);
      await wb.runCommand('CMDOP: Add Fleet API Key');
      await wb.quickInput.answer(key);
      await wb.statusBar.waitForText(STATUS, /API key \(stored\)$/, 30_000);

      const file = join(session.server.userDataDir, 'User', 'settings.json');
      const settings = JSON.parse(readFileSync(file, 'utf8')) as Record<string, any>;
      const other = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
      const dev = settings['cmdop.endpoints'].dev;
      settings['cmdop.endpoints'] = { dev: { ...dev, issuer: other, api: other, relay: relay.address } };
      // As a person would: the user settings JSON, all of it replaced and saved.
      await wb.runCommand('Preferences: Open User Settings (JSON)');
      const editor = session.page.locator('.editor-instance .monaco-editor .view-lines').first();
      await editor.waitFor({ timeout: 20_000 });
      await editor.click();
      await session.page.keyboard.press('ControlOrMeta+A');
      await session.page.keyboard.insertText(JSON.stringify(settings));
      await session.page.keyboard.press('ControlOrMeta+S');

      const status = await waitFor(
        'the status bar to stop offering the key',
        async () => {
          const text = (await wb.statusBar.text(STATUS)) ?? '';
          return /API key \(stored\)/.test(text) ? undefined : text;
        },
        { timeoutMs: 30_000 },
      );
      assert.doesNotMatch(status, /Acme Production/);
      await waitFor('the log to say why', () => (/added for other CMDOP endpoints/.test(session.extensionLog()) ? true : undefined), {
        timeoutMs: 30_000,
      });
      // Whatever the extension asked the new servers, it never carried the key.
      assert.ok(!seen.some((line) => line.includes(key)), `the key reached the new API: ${seen.join('\n')}`);
      assert.ok(!relay.calls.some((c) => c.authorization?.includes(key)), 'the key reached the new relay');
    },
    { timeout: 120_000 },
  );
});
