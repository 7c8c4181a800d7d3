// `npm run test:electron`: the host suite in a downloaded VS Code (Electron) via @vscode/test-electron,
// for machines that can download VS Code and show a window (on headless Linux run it under xvfb-run).
// Here the same suite runs inside code-server instead: test/e2e/host-suite.e2e.ts.
import { runTests } from '@vscode/test-electron';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildHostSuite, repoRoot } from './build';

async function main(): Promise<void> {
  // The development extension is this repository: dist/extension.js must be current.
  execFileSync(process.execPath, [path.join(repoRoot, 'scripts', 'build.mjs')], { cwd: repoRoot, stdio: 'inherit' });
  const extensionTestsPath = await buildHostSuite();
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'cmdop-electron-'));
  mkdirSync(path.join(scratch, 'workspace'));
  try {
    await runTests({
      version: process.env.VSCODE_VERSION ?? 'stable',
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath,
      extensionTestsEnv: { CMDOP_HOST_SUITE_PROBE: 'from-launcher' },
      launchArgs: [
        path.join(scratch, 'workspace'),
        '--user-data-dir',
        path.join(scratch, 'user-data'),
        '--extensions-dir',
        path.join(scratch, 'extensions'),
        '--disable-extensions',
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
      ],
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
