// The text editor as a person uses it: open a file by name, go to a line and column, type, hover, quick fix,
// code lenses. Monaco renders only what is visible, so these read the rendered editor.
import type { Session } from '../harness';
import { waitFor } from '../harness';

const EDITOR = '.editor-instance .monaco-editor';

/** Quick Open the file (palette without `>`) and wait until it is the active editor (named in the window title). */
export async function openFile(session: Session, name: string): Promise<void> {
  const { wb, page } = session;
  if (!(await wb.title()).includes(name)) {
    await wb.quickInput.openCommandPalette();
    await wb.quickInput.fill(name);
    await wb.quickInput.pick(name, 20_000);
    await waitFor(`${name} in the editor`, async () => {
      const title = await wb.title();
      if (title.includes(name)) return true;
      throw new Error(`window title "${title}"`);
    });
  }
  await page.locator(`${EDITOR} .view-lines`).first().waitFor({ timeout: 20_000 });
}

/** Moves the cursor to 1-based `line` and `column` (Go to Line with `:line:column`). */
export async function goTo(session: Session, line: number, column = 1): Promise<void> {
  const { wb } = session;
  await wb.quickInput.openCommandPalette();
  await wb.quickInput.fill(`:${line}:${column}`);
  await wb.quickInput.submit();
  await wb.quickInput.waitClosed();
}

/** The visible text of the active editor, one entry per rendered line, in line order. */
export async function editorLines(session: Session): Promise<string[]> {
  return session.page.evaluate((selector) => {
    const lines = Array.from(document.querySelectorAll<HTMLElement>(`${selector} .view-lines .view-line`));
    return lines
      .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))
      .map((l) => (l.textContent ?? '').replace(/\u00a0/g, ' '));
  }, EDITOR);
}

/** Shows the hover at the cursor (editor.action.showHover) and returns its text once it contains `expected`. */
export async function hoverAtCursor(session: Session, expected: RegExp): Promise<string> {
  return waitFor(
    `a hover matching ${expected}`,
    async () => {
      await session.wb.runCommand('Show or Focus Hover', { id: 'editor.action.showHover' });
      const text = await session.page
        .locator('.monaco-hover:not(.hidden)')
        .first()
        .innerText({ timeout: 3_000 })
        .catch(() => '');
      if (expected.test(text)) return text;
      await session.page.keyboard.press('Escape');
      return undefined;
    },
    { timeoutMs: 30_000 },
  );
}

/** Code lens titles rendered in the active editor. */
export async function codeLenses(session: Session): Promise<string[]> {
  return session.page.locator(`${EDITOR} .codelens-decoration a`).allInnerTexts();
}

/** Clicks the lens titled `title` above `line` (1-based; the cursor goes there first so the lens is in view). */
export async function clickCodeLens(session: Session, title: string, line: number): Promise<void> {
  await goTo(session, line);
  const lens = session.page.locator(`${EDITOR} .codelens-decoration a`, { hasText: title }).first();
  await lens.waitFor({ timeout: 30_000 });
  await lens.click();
}

/** Number of error or warning squiggles drawn in the active editor. */
export async function squiggles(session: Session, severity: 'error' | 'warning'): Promise<number> {
  return session.page.locator(`${EDITOR} .squiggly-${severity}`).count();
}
