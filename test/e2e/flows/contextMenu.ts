// Context menu entries of the Machines tree. VS Code's menus act on the keyboard reliably in headless
// Chromium, so the entry is focused by hovering and accepted with Enter.
import type { Session } from '../harness';

export async function treeContextAction(session: Session, view: string, label: string, entry: string): Promise<void> {
  const { page, wb } = session;
  await wb.views.waitForTreeItem(view, label);
  await wb.views.treeRow(view, label).click({ button: 'right' });
  const item = page.locator('.context-view .monaco-menu .action-item:not(.disabled) .action-label', { hasText: entry }).first();
  await item.waitFor({ state: 'visible', timeout: 10_000 });
  await item.hover();
  await page.keyboard.press('Enter');
  await page.locator('.context-view .monaco-menu').waitFor({ state: 'hidden', timeout: 5_000 });
}
