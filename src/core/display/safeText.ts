/**
 * Text that came from a server, a seed, a file or another extension is data. Each surface of VS Code gives some
 * characters a meaning (links in notifications, `$(icon)` in labels, Markdown in hovers, escape sequences in a
 * terminal); these functions take that meaning away, one per surface, so a name shows as the characters it is.
 */

/** Names (hostnames, machines, fleets, keys, owners) longer than this are cut with an ellipsis. */
export const NAME_LIMIT = 80;
/** Error texts and exit reasons may say more, but not a page. */
export const MESSAGE_LIMIT = 400;

const ELLIPSIS = '…';
/** Zero-width joiner: invisible, but it breaks `](` and `$(` so neither is parsed. */
const ZWJ = '\u200d';

/** Bidi embeddings, overrides and isolates, and the directional marks: they reorder the text drawn after a name. */
const BIDI = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;
/** Escape sequences (CSI, OSC, two-character escapes), so a stripped ESC leaves no `[31m` behind. */
const ESCAPE_SEQUENCE = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]|\x9b[0-?]*[ -/]*[@-~]/g;
/** C0 and C1 controls and DEL. Newlines and tabs too: a name or a one-line message is one line. */
const CONTROL = /[\x00-\x1f\x7f-\x9f]/g;
/** Line separators that some renderers honour. */
const LINE_SEPARATOR = /[\u2028\u2029]/g;

/** Common to every surface: no escape sequence, control, bidi control or line break survives; length is bounded. */
function plainLine(text: unknown, limit: number): string {
  const flat = String(text ?? '')
    .replace(ESCAPE_SEQUENCE, '')
    .replace(/\r\n|[\r\n\t\u2028\u2029]/g, ' ')
    .replace(CONTROL, '')
    .replace(LINE_SEPARATOR, ' ')
    .replace(BIDI, '');
  return cut(flat, limit);
}

/** Cuts by code points, never inside a surrogate pair, and marks the cut with an ellipsis. */
function cut(text: string, limit: number): string {
  const points = [...text];
  return points.length <= limit ? text : points.slice(0, limit - 1).join('') + ELLIPSIS;
}

/** Breaks `[label](target)` link syntax (notifications render it, `command:` targets included) and `$(icon)`. */
function breakLinksAndIcons(text: string): string {
  return text.replace(/\]\(/g, `]${ZWJ}(`).replace(/\$\(/g, `$${ZWJ}(`);
}

/** A server-provided name for any plain-text place: one line, no controls, cut at {@link NAME_LIMIT}. */
export function safeName(text: unknown, limit = NAME_LIMIT): string {
  return plainLine(text, limit);
}

/**
 * Text for `show{Information,Warning,Error}Message`: those render `[label](command:…)` as a live link, so link
 * syntax is broken with a zero-width joiner (the text still reads the same) and `$(…)` codicons too.
 */
export function notificationText(text: unknown, limit = MESSAGE_LIMIT): string {
  return breakLinksAndIcons(plainLine(text, limit));
}

/** A name inside a notification message the extension composes: the same as {@link notificationText}, shorter. */
export function notificationName(text: unknown): string {
  return notificationText(text, NAME_LIMIT);
}

/**
 * A tree item label, description or plain tooltip, a status bar text or a quick pick label/description: these
 * render `$(icon)` codicon syntax, which is broken here.
 */
export function labelText(text: unknown, limit = NAME_LIMIT): string {
  return breakLinksAndIcons(plainLine(text, limit));
}

/**
 * Text to put in a MarkdownString: every Markdown and HTML character is backslash-escaped (so no link, image,
 * emphasis or tag), `$(…)` is broken, and the text stays one line. The MarkdownString itself must never be
 * trusted (`isTrusted`) nor have `supportHtml`.
 */
export function markdownText(text: unknown, limit = NAME_LIMIT): string {
  return plainLine(text, limit)
    .replace(/[\\`*_{}[\]()#+\-.!|<>~&:]/g, (c) => `\\${c}`)
    .replace(/\$/g, `$${ZWJ}`);
}

/**
 * Text for a line the extension writes into a terminal (status lines such as "Connected to web-1"): no escape
 * sequence, C0/C1 control or bidi control, so a name can neither colour, move the cursor, set the title nor
 * hide what follows it.
 */
export function terminalText(text: unknown, limit = MESSAGE_LIMIT): string {
  return plainLine(text, limit);
}

/**
 * A multi-line plain tooltip (tree items, status bar): each line as {@link labelText}, cut at `limit`, and at most
 * `maxLines` lines, so a server text can neither draw a codicon nor fill the screen.
 */
export function labelLines(text: unknown, limit = MESSAGE_LIMIT, maxLines = 40): string {
  const lines = String(text ?? '').split(/\r\n|[\n\r\u2028\u2029]/);
  const kept = lines.slice(0, maxLines).map((line) => labelText(line, limit));
  return (lines.length > maxLines ? [...kept, ELLIPSIS] : kept).join('\n');
}

/** A quick pick or status bar label: our own codicon first, then the name with its `$(…)` broken. */
export function iconLabel(icon: string, text: unknown, limit = NAME_LIMIT): string {
  return `$(${icon}) ${labelText(text, limit)}`;
}

/**
 * Text kept on several lines (command output for a language model, a fenced block in a chat confirmation): line
 * breaks and tabs stay, escape sequences, other controls and bidi controls go; nothing is cut (budgets do that).
 */
export function safeLines(text: unknown): string {
  return String(text ?? '')
    .replace(ESCAPE_SEQUENCE, '')
    .replace(/\r\n?|[\u2028\u2029]/g, '\n')
    .replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, '')
    .replace(BIDI, '');
}

/** A name for a language model: one line like {@link safeName} but whole, so the model can repeat it exactly. */
export function wholeName(text: unknown): string {
  return plainLine(text, Number.POSITIVE_INFINITY).trim();
}

/** A modal confirmation shows the whole command it asks about; only a page-long one is cut (visibly). */
export const MODAL_LIMIT = 2000;

/** The multi-line `detail` of a notification or modal: each line as {@link notificationText}. */
export function notificationDetail(text: unknown, limit = MESSAGE_LIMIT): string {
  return String(text ?? '')
    .split(/\r\n|[\n\r\u2028\u2029]/)
    .map((line) => notificationText(line, limit))
    .join('\n');
}
