/** Counts tokens the way the model does (VS Code's tokenizationOptions.countTokens), or estimates. */
export type TokenCounter = (text: string) => Promise<number>;

/** Used when VS Code passes no budget (an extension's invokeTool): a result must still not flood a prompt. */
export const DEFAULT_TOKEN_BUDGET = 16_000;

/** Characters per token for the estimate: low (code and logs tokenize worse than prose), so the estimate errs large. */
const CHARS_PER_TOKEN = 3;

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/**
 * `text` cut to at most about `maxChars`, keeping its start and, larger, its end (where errors and
 * summaries usually are), cut at line breaks when one is near, the cut marked with what was left out.
 */
export function trimMiddle(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const marker = (n: number) => `\n[… ${n} characters cut …]\n`;
  const room = Math.max(0, maxChars - marker(text.length).length);
  if (room === 0) return `[${text.length} characters of output left out]`;
  let headEnd = Math.floor(room / 3);
  let tailStart = text.length - (room - headEnd);
  // Prefer whole lines when the nearest break costs little of the room.
  const slack = Math.max(20, Math.floor(room / 10));
  const lineEnd = text.lastIndexOf('\n', headEnd);
  if (lineEnd >= 0 && headEnd - lineEnd <= slack) headEnd = lineEnd;
  const lineStart = text.indexOf('\n', tailStart);
  if (lineStart >= 0 && lineStart - tailStart <= slack) tailStart = lineStart + 1;
  return `${text.slice(0, headEnd)}${marker(tailStart - headEnd)}${text.slice(tailStart)}`;
}

/**
 * The longest rendering that fits `budget` tokens. `render(allowance)` draws the result with every output
 * cut to `allowance` characters (Infinity: whole; 0: left out); `outputs` is how many outputs it shows.
 * The allowance is estimated, then, while the counted tokens exceed the budget, shrunk in proportion.
 */
export async function fitToBudget(
  render: (allowance: number) => string,
  outputs: number,
  budget: number,
  count: TokenCounter = (text) => Promise.resolve(estimateTokens(text)),
): Promise<string> {
  const whole = render(Number.POSITIVE_INFINITY);
  let tokens = await count(whole);
  if (tokens <= budget || outputs === 0) return whole;
  const frame = render(0);
  const frameTokens = await count(frame);
  if (frameTokens >= budget) return frame;
  let allowance = Math.floor(((budget - frameTokens) * CHARS_PER_TOKEN) / outputs);
  for (let attempt = 0; attempt < 6 && allowance >= 40; attempt++) {
    const text = render(allowance);
    tokens = await count(text);
    if (tokens <= budget) return text;
    allowance = Math.floor(allowance * Math.min(0.9, (budget - frameTokens) / Math.max(1, tokens - frameTokens)));
  }
  return frame;
}
