// Polls a page-side probe until it yields a value, with an error that says what was last seen.
import type { Page } from 'playwright-core';

export async function poll<T>(
  page: Page,
  what: string,
  probe: () => Promise<{ done: boolean; value: T; seen?: string }>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let seen: string;
  for (;;) {
    try {
      const result = await probe();
      if (result.done) return result.value;
      seen = result.seen ?? JSON.stringify(result.value);
    } catch (error) {
      seen = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${seen}`);
    await page.waitForTimeout(200);
  }
}
