// C0/C1 controls except tab and line feed; bidirectional overrides, embeddings and isolates; zero-width marks.
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/**
 * Text from a server or a machine as data for a model or a confirmation: no control or bidirectional
 * characters that could hide or reorder what a person reads. Escape sequences are expected to be
 * stripped before (plainText); what is left of them goes here.
 */
export function dataText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(UNSAFE, '');
}

/** A one-line value (hostname, OS, fleet name): data text with line breaks and tabs made spaces. */
export function dataLine(text: string): string {
  return dataText(text)
    .replace(/[\n\t]+/g, ' ')
    .trim();
}

/** A fenced Markdown code block whose fence no backtick run in `text` can close. */
export function codeBlock(text: string, language = ''): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${language}\n${text}\n${fence}`;
}

/** Markdown characters escaped, so a hostname or fleet name shows as typed. */
export function markdownEscaped(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+!|<>~-]/g, '\\$&');
}
