// Notification toasts (showInformationMessage / showWarningMessage / showErrorMessage, progress notifications).
import type { Locator, Page } from 'playwright-core';
import { contains, describeMatch, type TextMatch } from './match';
import { poll } from './pagePoll';

export interface Notification {
  message: string;
  /** `info`, `warning` or `error`, from the icon. */
  severity: string;
  source: string;
  buttons: string[];
}

const TOAST = '.notifications-toasts .notification-toast .notification-list-item';

export class Notifications {
  constructor(private readonly page: Page) {}

  /** The toasts on screen now, newest last. */
  async toasts(): Promise<Notification[]> {
    return this.page.locator(TOAST).evaluateAll((items) =>
      items.map((item) => {
        const icon = item.querySelector('.notification-list-item-icon')?.className ?? '';
        return {
          message: item.querySelector('.notification-list-item-message')?.textContent?.trim() ?? '',
          severity: /codicon-(error|warning|info)/.exec(icon)?.[1] ?? '',
          source: item.querySelector('.notification-list-item-source')?.textContent?.trim() ?? '',
          buttons: Array.from(item.querySelectorAll('.notification-list-item-buttons-container .monaco-button')).map(
            (b) => b.textContent?.trim() ?? '',
          ),
        };
      }),
    );
  }

  /** Waits for a toast whose message contains `message` (string) or matches it (RegExp). */
  async waitFor(message: TextMatch, timeoutMs = 30_000): Promise<Notification> {
    return poll(
      this.page,
      `a notification ${describeMatch(message)}`,
      async () => {
        const toasts = await this.toasts();
        const found = toasts.find((t) => contains(t.message, message));
        return { done: !!found, value: found!, seen: JSON.stringify(toasts.map((t) => t.message)) };
      },
      timeoutMs,
    );
  }

  toast(message: TextMatch): Locator {
    return this.page.locator(TOAST).filter({ has: this.page.locator('.notification-list-item-message', { hasText: message }) });
  }

  /** Clicks a button (an action passed to showXMessage) on the toast with this message. */
  async clickButton(message: TextMatch, button: string, timeoutMs = 30_000): Promise<void> {
    await this.waitFor(message, timeoutMs);
    await this.toast(message).locator('.notification-list-item-buttons-container .monaco-button', { hasText: button }).first().click();
  }

  /** Closes one toast. */
  async dismiss(message: TextMatch): Promise<void> {
    const toast = this.toast(message).first();
    await toast.hover();
    await toast.locator('.codicon-notifications-clear').click();
  }

  /** Closes every toast (Escape hides them; the notification center keeps them). */
  async dismissAll(): Promise<void> {
    for (const toast of await this.page.locator(TOAST).all()) {
      await toast.hover().catch(() => undefined);
      await toast
        .locator('.codicon-notifications-clear')
        .click()
        .catch(() => undefined);
    }
  }
}
