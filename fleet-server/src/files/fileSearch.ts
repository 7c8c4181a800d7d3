import type { Dirent } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { entryOf } from './fileEntries';
import { insideHome, PathRefusedError, type HomeScope } from './homePaths';

export interface FileSearchRequest {
  path: string;
  filename_pattern: string;
  content_pattern: string;
  case_sensitive: boolean;
  include_hidden: boolean;
  max_results: number;
  max_depth: number;
  context_lines: number;
}

const DEFAULT_MAX_RESULTS = 100;
const MAX_RESULTS_CAP = 10_000;
/** Content is searched in text files up to this size; bigger ones and binaries (a NUL early on) are skipped. */
const MAX_SEARCHED_FILE_BYTES = 8 * 1024 * 1024;
const MAX_CONTEXT_LINES = 10;
const SEARCH_BATCH = 64;

/** A filename glob (`*`, `?`, `[…]`) as a regular expression over a name, or over the relative path when it has a `/`. */
export function globToRegExp(glob: string, caseSensitive: boolean): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      const double = glob[i + 1] === '*';
      source += double ? '.*' : '[^/]*';
      if (double) i++;
    } else if (c === '?') source += '[^/]';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 1);
      if (close < 0) source += '\\[';
      else {
        source += `[${glob
          .slice(i + 1, close)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else source += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, caseSensitive ? '' : 'i');
}

function contentRegExp(pattern: string, caseSensitive: boolean): RegExp {
  try {
    return new RegExp(pattern, caseSensitive ? 'g' : 'gi');
  } catch (err) {
    throw new PathRefusedError(`invalid content_pattern: ${(err as Error).message}`);
  }
}

async function textOf(path: string): Promise<string | undefined> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (size > MAX_SEARCHED_FILE_BYTES) return undefined;
    const bytes = await handle.readFile();
    return bytes.subarray(0, 8192).includes(0) ? undefined : bytes.toString('utf8');
  } finally {
    await handle.close();
  }
}

function contentMatches(text: string, pattern: RegExp, contextLines: number) {
  const lines = text.split(/\r?\n/);
  const matches = [];
  for (let i = 0; i < lines.length; i++) {
    pattern.lastIndex = 0;
    const found = pattern.exec(lines[i]);
    if (!found) continue;
    matches.push({
      line_number: i + 1,
      line: lines[i],
      column_start: found.index,
      column_end: found.index + found[0].length,
      context_before: lines.slice(Math.max(0, i - contextLines), i),
      context_after: lines.slice(i + 1, i + 1 + contextLines),
    });
  }
  return matches;
}

interface Criteria {
  root: string;
  byName?: RegExp;
  byContent?: RegExp;
  nameHasSlash: boolean;
  contextLines: number;
}

/** One directory entry against the search: its match, or undefined. Symlinks are never followed. */
async function matchOf(path: string, child: Dirent, criteria: Criteria) {
  const nameTarget = criteria.nameHasSlash ? relative(criteria.root, path) : child.name;
  if (criteria.byName && !criteria.byName.test(nameTarget)) return undefined;
  if (criteria.byContent && !child.isFile()) return undefined;
  const lines = criteria.byContent
    ? contentMatches((await textOf(path).catch(() => undefined)) ?? '', new RegExp(criteria.byContent), criteria.contextLines)
    : [];
  if (criteria.byContent && lines.length === 0) return undefined;
  const entry = await entryOf(path).catch(() => undefined);
  return entry && { entry, match_type: criteria.byContent ? 'MATCH_CONTENT' : 'MATCH_FILENAME', content_matches: lines };
}

/**
 * Walks a folder of the home (never through a symlink, so nothing outside is reached) for names matching the
 * glob and, with a content pattern, text files with lines matching it.
 */
export async function searchFiles(scope: HomeScope, req: FileSearchRequest) {
  const started = Date.now();
  const root = await insideHome(scope, req.path, true);
  if (!req.filename_pattern && !req.content_pattern) throw new PathRefusedError('give filename_pattern, content_pattern or both');
  const byName = req.filename_pattern ? globToRegExp(req.filename_pattern, req.case_sensitive) : undefined;
  const byContent = req.content_pattern ? contentRegExp(req.content_pattern, req.case_sensitive) : undefined;
  const limit = Math.min(req.max_results > 0 ? req.max_results : DEFAULT_MAX_RESULTS, MAX_RESULTS_CAP);
  const contextLines = Math.min(Math.max(0, req.context_lines), MAX_CONTEXT_LINES);
  const matches: Awaited<ReturnType<typeof matchOf>>[] = [];
  let scanned = 0;
  let truncated = false;
  const queue: { dir: string; depth: number }[] = [{ dir: root, depth: 1 }];
  const criteria = { root, byName, byContent, nameHasSlash: req.filename_pattern.includes('/'), contextLines };
  for (let next = queue.shift(); next && !truncated; next = queue.shift()) {
    const children = (await readdir(next.dir, { withFileTypes: true }).catch(() => []))
      .filter((child) => req.include_hidden || !child.name.startsWith('.'))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const child of children) {
      if (child.isDirectory() && (req.max_depth <= 0 || next.depth < req.max_depth))
        queue.push({ dir: join(next.dir, child.name), depth: next.depth + 1 });
    }
    // Checked a batch at a time (a folder of 10,000 small files is read in parallel), kept in name order.
    for (let at = 0; at < children.length && !truncated; at += SEARCH_BATCH) {
      const batch = children.slice(at, at + SEARCH_BATCH);
      scanned += batch.length;
      for (const found of await Promise.all(batch.map((child) => matchOf(join(next.dir, child.name), child, criteria)))) {
        if (!found) continue;
        if (matches.length >= limit) {
          truncated = true;
          break;
        }
        matches.push(found);
      }
    }
  }
  return {
    matches,
    total_matches: matches.length,
    truncated,
    search_path: root,
    files_scanned: scanned,
    duration_ms: Date.now() - started,
  };
}
