// Benchmarks measure in child processes so the fleet server in this one does not share their event loop.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** Where clients write their results (and CPU profiles). */
export const BENCH_SCRATCH = 'test-results/bench-profiles';

/**
 * Runs `node [nodeFlags] --import tsx <client> ...args(out)` and returns the JSON the client wrote to `out`,
 * a scratch file it is told about and that is removed afterwards. `label` names the client in errors.
 */
export function runJsonClient<T>(label: string, client: string, args: (out: string) => string[], nodeFlags: string[] = []): Promise<T> {
  mkdirSync(BENCH_SCRATCH, { recursive: true });
  const out = join(BENCH_SCRATCH, `result-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}.json`);
  return new Promise<T>((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', client, ...args(out)], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${label} exited with ${code}`));
      try {
        resolve(JSON.parse(readFileSync(out, 'utf8')) as T);
      } catch (err) {
        reject(err);
      } finally {
        rmSync(out, { force: true });
      }
    });
  });
}
