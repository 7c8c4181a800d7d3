/**
 * Hostname patterns as an operator types them: `web-*`, `db-?`, `web-[12]`, several separated by
 * commas or spaces (`web-*, db-1`). Matching is case-insensitive, like hostnames.
 */
export function hostMatcher(pattern: string): (hostname: string) => boolean {
  const parts = pattern.split(/[\s,]+/).filter(Boolean);
  if (parts.length === 0) return () => true;
  const expressions = parts.map(globToRegExp);
  return (hostname) => expressions.some((re) => re.test(hostname));
}

export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (ch === '*') source += '.*';
    else if (ch === '?') source += '.';
    else if (ch === '[') {
      const close = glob.indexOf(']', i + 1);
      if (close === -1) {
        source += '\\[';
        continue;
      }
      let set = glob.slice(i + 1, close).replace(/\\/g, '\\\\');
      if (set.startsWith('!')) set = `^${set.slice(1)}`;
      source += `[${set}]`;
      i = close;
    } else source += ch.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'i');
}

/** A pattern is a glob when it has wildcard characters; otherwise it names hosts exactly. */
export function isGlob(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}
