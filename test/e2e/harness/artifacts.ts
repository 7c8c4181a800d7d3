// Evidence of a failed test in test-results/: a screenshot named after the test, code-server's log,
// the VS Code server's logs (extension host, output channels) and the browser console.
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { fileSafe, resultsDir } from './paths';

export interface FailureSources {
  page?: Page;
  codeServerLog?: string;
  logsDir?: string;
  consoleLines?: string[];
}

/** Writes `test-results/<name>.png` and the logs beside it; returns the files written. Never throws. */
export async function captureFailure(testName: string, sources: FailureSources): Promise<string[]> {
  mkdirSync(resultsDir, { recursive: true });
  const base = path.join(resultsDir, fileSafe(testName));
  const written: string[] = [];
  const attempt = async (file: string, write: () => unknown) => {
    try {
      await write();
      written.push(file);
    } catch (error) {
      process.stderr.write(`could not write ${file}: ${(error as Error).message}\n`);
    }
  };
  if (sources.page && !sources.page.isClosed()) {
    await attempt(`${base}.png`, () => sources.page!.screenshot({ path: `${base}.png`, timeout: 15_000 }));
  }
  if (sources.codeServerLog && existsSync(sources.codeServerLog)) {
    await attempt(`${base}.code-server.log`, () => cpSync(sources.codeServerLog!, `${base}.code-server.log`));
  }
  if (sources.logsDir && existsSync(sources.logsDir)) {
    await attempt(`${base}.logs`, () => cpSync(sources.logsDir!, `${base}.logs`, { recursive: true }));
  }
  if (sources.consoleLines?.length) {
    await attempt(`${base}.console.log`, () => writeFileSync(`${base}.console.log`, sources.consoleLines!.join('\n') + '\n'));
  }
  return written;
}
