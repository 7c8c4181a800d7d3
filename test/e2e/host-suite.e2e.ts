// Runs the mocha host suite (test/host/suite) inside code-server's real extension host, against the packaged
// .vsix, and reports each mocha test as a subtest here.
//
// code-server's CLI rejects --extensionDevelopmentPath/--extensionTestsPath, and passing them to its VS Code
// server with --vscode-option does nothing: in VS Code for the web they are the workbench's business. The
// workbench takes them from the `payload` URL parameter, but a built product only reads it when the server
// runs with the smoke-test driver on (`--vscode-option enable-smoke-test-driver`). Then the remote extension
// host loads the development extension and calls the suite's run(), exactly as with @vscode/test-electron.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { buildHostSuite } from '../host/build';
import { CHAT_FLEET_KEY, RESULTS_ENV, type HostSuiteResults } from '../host/suite/results';
import { cleanEnv } from './flows/fleetSession';
import { defaultVsix, startLocalFleet, startSession, unpackVsix, waitFor, withFailureCapture, type Session } from './harness';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'cmdop-host-suite-'));
let session: Session | undefined;

let fleetToClose: { close(): Promise<void> } | undefined;

after(async () => {
  await session?.close();
  await fleetToClose?.close();
  rmSync(scratch, { recursive: true, force: true });
});

test("host suite in code-server's extension host", { timeout: 300_000 }, async (t) => {
  const testsPath = await buildHostSuite();
  // The packaged extension, unpacked where the server does not load it by itself: it is the development extension.
  const extensionPath = unpackVsix(defaultVsix, path.join(scratch, 'unpacked'));
  const resultsFile = path.join(scratch, 'results.json');
  // The chat tools' tests sign in with a fleet API key of this fleet server (CMDOP_API_KEY set in the extension host).
  const fleet = await startLocalFleet();
  fleetToClose = fleet;
  const key = fleet.seed.fleets.find((f) => f.id === 'acme-prod')!.api_keys.find((k) => k.name === 'ci-deploy')!.secret;

  session = await startSession({
    name: 'host-suite',
    vsix: [],
    fleet,
    env: cleanEnv({ [RESULTS_ENV]: resultsFile, CMDOP_HOST_SUITE_PROBE: 'from-launcher', [CHAT_FLEET_KEY]: key }),
    payload: (server) => [
      ['extensionDevelopmentPath', server.remoteUri(extensionPath)],
      ['extensionTestsPath', server.remoteUri(testsPath)],
    ],
  });
  const running = session;

  let results: HostSuiteResults | undefined;
  await withFailureCapture(running, 'host suite', async () => {
    results = await waitFor(
      'the host suite to write its results',
      () => (existsSync(resultsFile) ? (JSON.parse(readFileSync(resultsFile, 'utf8')) as HostSuiteResults) : undefined),
      { timeoutMs: 180_000, intervalMs: 500 },
    );
    assert.equal(results.error, undefined, `the host suite did not run: ${results.error}`);
    assert.ok(results.tests.length > 0, 'the host suite ran no tests');
  });

  t.diagnostic(`VS Code ${results!.vscodeVersion}: ${results!.passed} passed, ${results!.failed} failed, ${results!.pending} pending`);
  for (const result of results!.tests) {
    await t.test(result.fullTitle, { skip: result.state === 'pending' }, async () => {
      if (result.state !== 'failed') return;
      await running.captureFailure(`host suite - ${result.fullTitle}`);
      assert.fail(result.error ?? 'failed');
    });
  }
  if (results!.failed > 0) await running.captureFailure("host suite in code-server's extension host");
});
