// The retired plaintext ssh_workspaces.json: offered once, copied into SecretStorage, never read again.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'node:test';
import { useWorkbench } from './harness';
import { fleetSession } from './flows/fleetSession';

const seed = JSON.parse(readFileSync(join(__dirname, '..', '..', 'fleet-server', 'seed.json'), 'utf8'));
const ciDeploy: string = seed.fleets
  .find((f: { id: string }) => f.id === 'acme-prod')
  .api_keys.find((k: { name: string }) => k.name === 'ci-deploy').secret;

describe('legacy ssh_workspaces.json import', () => {
  const configDir = mkdtempSync(join(tmpdir(), 'cmdop-legacy-'));
  const file = join(configDir, 'ssh_workspaces.json');
  const content = JSON.stringify(
    { active: 'acme-prod', workspaces: [{ name: 'acme-prod', workspace_id: 'acme-prod', api_key: ciDeploy }] },
    null,
    2,
  );
  writeFileSync(file, content, { mode: 0o600 });
  const ui = useWorkbench(() => fleetSession('legacy', { env: { CMDOP_CONFIG_DIR: configDir } }));

  ui.test('on first start it asks once; Import makes the key usable and leaves the file as it was', async (wb) => {
    const dialog = await wb.dialogs.waitOpen(60_000);
    assert.match(dialog.message, /retired plaintext file .*ssh_workspaces\.json/);
    assert.ok(!dialog.message.includes(ciDeploy), 'the dialog does not show the key');
    await wb.dialogs.clickButton('Import');
    // The import makes the file's active fleet active, so the next resolution already finds the stored copy.
    assert.match(await wb.statusBar.waitForText('cmdop.status', /API key/, 20_000), /^Acme Production · API key \((imported|stored)\)$/);
    assert.equal(readFileSync(file, 'utf8'), content);
  });

  ui.test('after a reload it is not offered again and the key now comes from SecretStorage', async (wb) => {
    await wb.reload();
    assert.equal(await wb.statusBar.waitForText('cmdop.status', /API key/, 60_000), 'Acme Production · API key (stored)');
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(await wb.dialogs.isOpen(), false);
  });
});
