// The extension in VS Code against `fleet-server --tls`, reached through a forward proxy: the fleet server is
// known as fleet.cmdop.test, a name only the proxy resolves, and the user's settings give the generated CA
// (`cmdop.endpoints.dev.caFile`) and the proxy (`http.proxy`). Sign-in, the Machines tree and a command work; the
// proxy saw only CONNECT tunnels, never a secret.
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import { approveDeviceCode } from '../../fleet-server/src/testing/approveDevice';
import { caSettingOf } from '../../src/core/credentials/endpoints';
import { DEFAULT_PROXY_SETTINGS } from '../../src/core/network/proxy';
import { tlsFetch } from '../../src/core/network/tls';
import { startRecordingProxy, type RecordingProxy } from '../../fleet-server/src/testing/forwardProxy';
import { type LocalFleet, startLocalFleet, useWorkbench, waitFor } from './harness';
import { runCommandFromTree } from './flows/runCommand';
import { startSignIn } from './flows/deviceSignIn';
import { fleetSession } from './flows/fleetSession';

const VIEW = 'Machines';
const STATUS = 'cmdop.status';

describe('TLS and a proxy: the extension in VS Code with the fleet CA and http.proxy set', () => {
  let fleet: LocalFleet;
  let proxy: RecordingProxy;
  before(async () => {
    [fleet, proxy] = await Promise.all([startLocalFleet({ tls: true, publicHost: 'fleet.cmdop.test' }), startRecordingProxy()]);
  });
  after(async () => {
    await Promise.all([fleet?.close(), proxy?.close()]);
  });

  const ui = useWorkbench(() =>
    fleetSession('tls-proxy', {
      fleet,
      settings: {
        'cmdop.mode': 'dev',
        'cmdop.endpoints': {
          dev: { issuer: fleet.issuer, api: fleet.apiUrl, relay: fleet.defaultRelay, clientId: fleet.clientId, caFile: fleet.tls!.caFile },
        },
        'http.proxy': proxy.url,
      },
    }),
  );

  ui.test('signs in through the proxy, lists machines, and runs a command over the TLS relay', async (wb, session) => {
    await wb.statusBar.waitForText(STATUS, 'CMDOP: Sign in', 60_000);
    await wb.views.openContainer('CMDOP');
    const userCode = await startSignIn(session);
    // The person approving is not under test; they reach the identity provider through the same proxy.
    const approver = tlsFetch({
      ca: fleet.tls!.caPem,
      caSetting: caSettingOf('dev'),
      proxy: () => ({ ...DEFAULT_PROXY_SETTINGS, proxy: proxy.url }),
      env: {},
    });
    await approveDeviceCode({ issuer: fleet.issuer, userCode, email: 'alice@acme.test', password: 'alice-pass', fetchImpl: approver });
    await wb.statusBar.waitForText(STATUS, /OAuth$/, 30_000);
    await wb.views.waitForTreeItem(VIEW, 'Acme Production');
    await wb.views.expandTreeItem(VIEW, 'Acme Production');
    await waitFor('web-1 online', async () => /online/.test((await wb.views.waitForTreeItem(VIEW, 'web-1')).ariaLabel) || undefined);

    const text = await runCommandFromTree(session, 'db-1', 'echo "through-""tls"; exit 4', 4);
    assert.match(text, /^through-tls$/m);

    const ports = [fleet.issuer, fleet.apiUrl].map((url) => new URL(url).port);
    const lines = proxy.seen.map((r) => r.line);
    for (const port of ports)
      assert.ok(lines.includes(`CONNECT fleet.cmdop.test:${port} HTTP/1.1`), `no tunnel to port ${port} in ${lines.join(', ')}`);
    const transcript = proxy.transcript();
    for (const secret of ['alice-pass', ...fleet.seed.fleets.flatMap((f) => f.api_keys.map((k) => k.secret))])
      assert.ok(!transcript.includes(secret), 'a secret reached the proxy in clear');
    assert.doesNotMatch(transcript, /authorization: Bearer/i);
    assert.match(
      session.extensionLog(),
      new RegExp(`https://fleet\\.cmdop\\.test:\\d+ through the proxy ${proxy.url.replace(/\./g, '\\.')} \\(from "http\\.proxy"\\)`),
    );
  });
});
