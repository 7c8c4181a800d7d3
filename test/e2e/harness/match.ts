// One way to say "this text" or "text like this" in helpers and their error messages.

export type TextMatch = string | RegExp;

/** A string must equal the text (after trimming); a RegExp must match it. */
export function matches(text: string, expected: TextMatch): boolean {
  return typeof expected === 'string' ? text.trim() === expected : expected.test(text);
}

/** A string must occur in the text; a RegExp must match it. */
export function contains(text: string, expected: TextMatch): boolean {
  return typeof expected === 'string' ? text.includes(expected) : expected.test(text);
}

export function describeMatch(expected: TextMatch): string {
  return typeof expected === 'string' ? JSON.stringify(expected) : String(expected);
}
