// Status bar items. VS Code gives an extension's item the DOM id `<extension id>.<item id>`,
// e.g. createStatusBarItem('cmdop.status', ...) in cmdop.cmdop-vscode is `#cmdop\.cmdop-vscode\.cmdop\.status`.
import type { Locator, Page } from 'playwright-core';
import { describeMatch, matches, type TextMatch } from './match';
import { poll } from './pagePoll';
import { extensionId } from './paths';

export class StatusBar {
  constructor(private readonly page: Page) {}

  /** The item's element; `id` is the extension's own item id (`cmdop.status`) or the full DOM id. */
  item(id: string): Locator {
    const domId = id.startsWith(`${extensionId}.`) ? id : `${extensionId}.${id}`;
    return this.page.locator(`.part.statusbar [id="${domId}"]`);
  }

  /** The item's visible text (codicons contribute nothing), or undefined when it is not shown. */
  async text(id: string): Promise<string | undefined> {
    const item = this.item(id);
    if (!(await item.isVisible())) return undefined;
    return (await item.innerText()).replace(/\s+/g, ' ').trim();
  }

  /** The accessibility label (the item's `accessibilityInformation.label`, else its text). */
  async ariaLabel(id: string): Promise<string | undefined> {
    const label = this.item(id).locator('.statusbar-item-label');
    return (await label.count()) ? ((await label.first().getAttribute('aria-label')) ?? undefined) : undefined;
  }

  async waitForText(id: string, expected: TextMatch, timeoutMs = 30_000): Promise<string> {
    return poll(
      this.page,
      `status bar item ${id} to read ${describeMatch(expected)}`,
      async () => {
        const text = await this.text(id);
        return { done: text !== undefined && matches(text, expected), value: text ?? '', seen: text ?? '(not shown)' };
      },
      timeoutMs,
    );
  }

  async click(id: string): Promise<void> {
    await this.item(id).locator('.statusbar-item-label').first().click();
  }

  /** All items as `id: text`, for error messages and debugging. */
  async all(): Promise<string[]> {
    return this.page
      .locator('.part.statusbar .statusbar-item')
      .evaluateAll((items) => items.map((item) => `${item.id}: ${(item.textContent ?? '').trim()}`));
  }
}
