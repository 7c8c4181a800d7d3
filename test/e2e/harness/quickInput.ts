// The quick input widget: command palette, quick picks (showQuickPick) and input boxes (showInputBox).
import type { Locator, Page } from 'playwright-core';
import { describeMatch, matches, type TextMatch } from './match';
import { poll } from './pagePoll';

export interface QuickPickItem {
  label: string;
  description: string;
  detail: string;
  /** The command id, for command palette entries. */
  id: string;
  ariaLabel: string;
}

const WIDGET = '.quick-input-widget';

function exactly(text: string): RegExp {
  return new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
}

export class QuickInput {
  constructor(private readonly page: Page) {}

  get widget(): Locator {
    return this.page.locator(WIDGET);
  }

  get input(): Locator {
    return this.page.locator(`${WIDGET} .quick-input-box input`);
  }

  async isOpen(): Promise<boolean> {
    return this.widget.isVisible();
  }

  async waitOpen(timeoutMs = 10_000): Promise<void> {
    await this.widget.waitFor({ state: 'visible', timeout: timeoutMs });
  }

  async waitClosed(timeoutMs = 10_000): Promise<void> {
    await this.widget.waitFor({ state: 'hidden', timeout: timeoutMs });
  }

  /**
   * Opens the command palette (F1) with an empty `>` filter. A modal editor (e.g. Running Extensions opens as
   * an overlay in 1.139) swallows F1, so a second try closes it with Escape first. Modal dialogs are not closed:
   * that is an error, since a test should answer them.
   */
  async openCommandPalette(): Promise<void> {
    if (await this.isOpen()) await this.cancel();
    const dialog = this.page.locator('.monaco-dialog-box');
    if (await dialog.isVisible()) {
      throw new Error(`a modal dialog is open: ${JSON.stringify((await dialog.innerText()).slice(0, 300))}`);
    }
    await this.page.keyboard.press('F1');
    try {
      await this.waitOpen(3_000);
      if (!(await this.inert())) return;
      // Open but inert: a modal editor overlay (the Welcome walkthrough can open as one) holds the focus.
      await this.page.keyboard.press('Escape');
    } catch {
      // not open: the overlay swallowed F1
    }
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('F1');
    await this.waitOpen(10_000);
  }

  /** True while the input sits under an `inert` ancestor (a modal overlay is up) and cannot take input. */
  private async inert(): Promise<boolean> {
    return this.input.evaluate((el) => !!el.closest('[inert]')).catch(() => false);
  }

  /** Replaces the text in the input and lets the list refilter. */
  async fill(text: string, timeoutMs?: number): Promise<void> {
    await this.input.fill(text, timeoutMs === undefined ? undefined : { timeout: timeoutMs });
  }

  /** Types into the input as a person would. */
  async type(text: string): Promise<void> {
    await this.input.focus();
    await this.page.keyboard.type(text);
  }

  /** Enter: accepts the focused item, or the input box's value. */
  async submit(): Promise<void> {
    await this.input.press('Enter');
  }

  /** Answers an input box: fills the text and presses Enter. */
  async answer(text: string): Promise<void> {
    await this.waitOpen();
    await this.fill(text);
    await this.submit();
  }

  async cancel(): Promise<void> {
    await this.input.press('Escape').catch(() => this.page.keyboard.press('Escape'));
    await this.waitClosed();
  }

  async title(): Promise<string> {
    const title = this.page.locator(`${WIDGET} .quick-input-title`);
    return (await title.isVisible()) ? (await title.innerText()).trim() : '';
  }

  async placeholder(): Promise<string> {
    return (await this.input.getAttribute('placeholder')) ?? '';
  }

  async value(): Promise<string> {
    return this.input.inputValue();
  }

  /** The validation or info message under an input box (showInputBox's validateInput, prompt). */
  async message(): Promise<string> {
    const message = this.page.locator(`${WIDGET} .quick-input-message`);
    return (await message.isVisible()) ? (await message.innerText()).trim() : '';
  }

  /** The rows the list shows now (only the rendered ones: long lists are virtual). */
  async items(): Promise<QuickPickItem[]> {
    return this.page.locator(`${WIDGET} .quick-input-list .monaco-list-row`).evaluateAll((rows) =>
      rows.map((row) => {
        const first = row.querySelector('.quick-input-list-row');
        return {
          label: first?.querySelector('.label-name')?.textContent?.trim() ?? '',
          description: first?.querySelector('.label-description')?.textContent?.trim() ?? '',
          detail: row.querySelector('.quick-input-list-label-meta .label-name')?.textContent?.trim() ?? '',
          id: row.querySelector('.quick-input-list-entry')?.getAttribute('data-quick-input-id') ?? '',
          ariaLabel: row.getAttribute('aria-label') ?? '',
        };
      }),
    );
  }

  async labels(): Promise<string[]> {
    return (await this.items()).map((item) => item.label);
  }

  /** Waits until a row with this label shows and returns it. */
  async waitForItem(label: TextMatch, timeoutMs = 10_000): Promise<QuickPickItem> {
    return poll(
      this.page,
      `a quick pick item ${describeMatch(label)}`,
      async () => {
        const items = await this.items();
        const found = items.find((item) => matches(item.label, label));
        return { done: !!found, value: found!, seen: JSON.stringify(items.map((i) => i.label)) };
      },
      timeoutMs,
    );
  }

  /** Clicks the row with this label (waits for it first). */
  async pick(label: TextMatch, timeoutMs = 10_000): Promise<void> {
    await this.waitOpen(timeoutMs);
    const item = await this.waitForItem(label, timeoutMs);
    const row = this.page
      .locator(`${WIDGET} .quick-input-list .monaco-list-row`)
      .filter({ has: this.page.locator('.label-name', { hasText: exactly(item.label) }) })
      .first();
    await row.click({ timeout: timeoutMs });
  }

  /** Ticks the checkboxes of these rows in a canPickMany quick pick, then accepts with OK. */
  async pickMany(labels: TextMatch[], timeoutMs = 10_000): Promise<void> {
    await this.waitOpen(timeoutMs);
    for (const label of labels) {
      const item = await this.waitForItem(label, timeoutMs);
      await this.page
        .locator(`${WIDGET} .quick-input-list .monaco-list-row`)
        .filter({ has: this.page.locator('.label-name', { hasText: exactly(item.label) }) })
        .first()
        .locator('.monaco-checkbox, input[type=checkbox]')
        .first()
        .click();
    }
    await this.submit();
  }
}
