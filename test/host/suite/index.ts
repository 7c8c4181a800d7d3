// Entry point VS Code loads as `extensionTestsPath` (VS Code calls run() inside the extension host).
// Runs every *.test.js built next to this file with mocha; writes results JSON when CMDOP_HOST_RESULTS is set.
import { readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RESULTS_ENV, type HostSuiteResults, type HostTestResult } from './results';

function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

export async function run(): Promise<void> {
  const results: HostSuiteResults = { vscodeVersion: vscode.version, passed: 0, failed: 0, pending: 0, tests: [] };
  const resultsFile = process.env[RESULTS_ENV];
  const save = () => {
    if (resultsFile) writeFileSync(resultsFile, JSON.stringify(results, null, 2) + '\n');
  };
  try {
    // mocha 12 is an ES module; import() loads it from CommonJS in any Node the extension host has.
    const { default: Mocha } = await import('mocha');
    const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 30_000, reporter: 'spec' });
    const files = readdirSync(__dirname)
      .filter((file) => file.endsWith('.test.js'))
      .sort();
    for (const file of files) mocha.addFile(path.join(__dirname, file));

    const failures = await new Promise<number>((resolve) => {
      const runner = mocha.run((count) => resolve(count));
      const record = (test: Mocha.Runnable, state: HostTestResult['state'], error?: unknown) => {
        results.tests.push({
          title: test.title,
          fullTitle: test.fullTitle(),
          file: test.file ? path.basename(test.file) : undefined,
          state,
          durationMs: test.duration ?? 0,
          error: error === undefined ? undefined : describeError(error),
        });
        results[state === 'passed' ? 'passed' : state === 'failed' ? 'failed' : 'pending'] += 1;
      };
      runner.on('pass', (test) => record(test, 'passed'));
      runner.on('fail', (test, error) => record(test, 'failed', error));
      runner.on('pending', (test) => record(test, 'pending'));
    });
    if (files.length === 0) results.error = `no *.test.js files in ${__dirname}`;
    save();
    if (results.error) throw new Error(results.error);
    if (failures > 0) throw new Error(`${failures} host test(s) failed`);
  } catch (error) {
    if (!results.error && results.failed === 0) {
      results.error = describeError(error);
      save();
    }
    throw error;
  }
}
