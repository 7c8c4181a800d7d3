// Bundles the host suite (test/host/suite/*.ts) for the extension host: index.js plus one file per *.test.ts.
// `vscode` comes from the extension host, `mocha` from node_modules at run time.
import * as esbuild from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..');
const suiteDir = path.join(__dirname, 'suite');
/** Inside the repository, so `mocha` resolves from its node_modules. */
export const hostSuiteOutDir = path.join(repoRoot, 'out', 'host-suite');

/** Builds the suite; returns the path of index.js (the `extensionTestsPath`). */
export async function buildHostSuite(outDir = hostSuiteOutDir): Promise<string> {
  const tests = readdirSync(suiteDir).filter((file) => file.endsWith('.test.ts'));
  rmSync(outDir, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: [path.join(suiteDir, 'index.ts'), ...tests.map((file) => path.join(suiteDir, file))],
    outdir: outDir,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external: ['vscode', 'mocha'],
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  return path.join(outDir, 'index.js');
}
