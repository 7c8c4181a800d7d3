// Finds the pinned code-server, installing it into the per-machine cache the first time.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from './paths';

let cached: string | undefined;

/** Path of the `code-server` wrapper (it runs code-server with the Node it needs). */
export function ensureCodeServer(): string {
  if (cached) return cached;
  const given = process.env.CMDOP_CODE_SERVER;
  if (given && existsSync(given)) return (cached = given);
  // The script prints the install folder on stdout; its progress goes to stderr.
  const folder = execFileSync('bash', [path.join(repoRoot, 'scripts', 'install-code-server.sh')], {
    cwd: repoRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })
    .trim()
    .split('\n')
    .pop()!;
  const wrapper = path.join(folder, 'code-server');
  if (!existsSync(wrapper)) throw new Error(`install-code-server.sh printed ${folder}, which has no code-server wrapper`);
  return (cached = wrapper);
}
