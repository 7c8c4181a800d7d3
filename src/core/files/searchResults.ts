import type { SearchResult } from './machineFiles';

/** One line to show for a search: a file (name match) or a line in it (content match). */
export interface SearchHit {
  path: string;
  /** 1-based; undefined for a filename match. */
  line?: number;
  /** 0-based column range of the match in the line. */
  columnStart?: number;
  columnEnd?: number;
  preview: string;
}

const PREVIEW_CHARS = 200;

/** FileSearch's matches as hits: each content match its own line, a filename-only match once. */
export function searchHits(result: SearchResult): SearchHit[] {
  const hits: SearchHit[] = [];
  for (const match of result.matches) {
    const path = match.entry?.path;
    if (!path) continue;
    if (!match.content_matches?.length) {
      hits.push({ path, preview: '' });
      continue;
    }
    for (const m of match.content_matches) {
      hits.push({
        path,
        line: m.line_number,
        columnStart: m.column_start,
        columnEnd: Math.max(m.column_end, m.column_start),
        preview: previewOf(m.line),
      });
    }
  }
  return hits;
}

/** A line for a quick pick: tabs and control characters as spaces, cut at PREVIEW_CHARS. */
export function previewOf(line: string): string {
  const flat = line.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
  return flat.length > PREVIEW_CHARS ? `${flat.slice(0, PREVIEW_CHARS - 1)}…` : flat;
}

/** A typed name as FileSearch's filename glob: a bare name matches anywhere in the file name. */
export function filenameGlob(typed: string): string {
  const text = typed.trim();
  if (!text) return '';
  return /[*?[]/.test(text) ? text : `*${text}*`;
}
