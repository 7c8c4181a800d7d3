// CSI sequences (colours, cursor moves), OSC sequences (titles, hyperlinks) and single-character escapes.
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

/** Plain text of PTY output: escape sequences removed, CRLF (the PTY's line ending) made LF. */
export function plainText(output: string): string {
  return output.replace(ANSI, '').replace(/\r+\n/g, '\n');
}
