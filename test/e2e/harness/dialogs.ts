// Modal dialogs: showInformationMessage(..., { modal: true }), errors of commands, and link protection's
// "Do you want code-server to open the external website?" (buttons Configure Trusted Domains, Copy, Cancel,
// Open) that vscode.env.openExternal shows for untrusted domains (localhost and 127.0.0.1 are trusted).
// In code-server they are always DOM, never native.
import type { Page } from 'playwright-core';

const BOX = '.monaco-dialog-box';

export class Dialogs {
  constructor(private readonly page: Page) {}

  async isOpen(): Promise<boolean> {
    return this.page.locator(BOX).isVisible();
  }

  async waitOpen(timeoutMs = 30_000): Promise<{ message: string; detail: string; buttons: string[] }> {
    await this.page.locator(BOX).waitFor({ state: 'visible', timeout: timeoutMs });
    return this.read();
  }

  async read(): Promise<{ message: string; detail: string; buttons: string[] }> {
    // A dialog without detail shows its message in the detail element, in smaller type.
    return this.page.locator(BOX).evaluate((box) => {
      const message = (box.querySelector('.dialog-message-text') as HTMLElement | null)?.innerText.trim() ?? '';
      const detail = (box.querySelector('.dialog-message-detail') as HTMLElement | null)?.innerText.trim() ?? '';
      return {
        message: message || detail,
        detail: message ? detail : '',
        buttons: Array.from(box.querySelectorAll('.dialog-buttons .monaco-button')).map((b) => b.textContent?.trim() ?? ''),
      };
    });
  }

  async clickButton(label: string, timeoutMs = 30_000): Promise<void> {
    await this.waitOpen(timeoutMs);
    await this.page.locator(`${BOX} .dialog-buttons .monaco-button`, { hasText: label }).first().click();
    await this.page.locator(BOX).waitFor({ state: 'hidden', timeout: timeoutMs });
  }
}
