// Where things live: the repository, the packaged extension, and the folder failed tests leave their evidence in.
import * as path from 'node:path';
import { readFileSync } from 'node:fs';

export const repoRoot = path.resolve(__dirname, '..', '..', '..');

/** The .vsix built by `npm run package`. */
export const defaultVsix = path.join(repoRoot, 'dist', 'cmdop.vsix');

/** Screenshots and logs of failed tests. */
export const resultsDir = process.env.CMDOP_TEST_RESULTS_DIR
  ? path.resolve(process.env.CMDOP_TEST_RESULTS_DIR)
  : path.join(repoRoot, 'test-results');

interface Manifest {
  publisher: string;
  name: string;
}

const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as Manifest;

/** `publisher.name`, the id VS Code knows the extension by (and prefixes its status bar item ids with). */
export const extensionId = `${manifest.publisher}.${manifest.name}`;

/** Turns a test name into a file name that every file system accepts. */
export function fileSafe(name: string): string {
  const safe = name
    .replace(/[^A-Za-z0-9 ._,()+=@-]+/g, '_')
    .replace(/^[\s._]+|[\s._]+$/g, '')
    .slice(0, 150);
  return safe || 'unnamed';
}
