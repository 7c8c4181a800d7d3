// Notifications as listed in the notification center. In code-server 1.139's "modern UI" a notification
// raised while the window is busy may go straight to the center without a toast, so tests read the center,
// which holds every notification whether or not it was shown as a toast.
import type { Session } from '../harness';
import { waitFor } from '../harness';

export interface Notice {
  message: string;
  severity: string;
  buttons: string[];
}

const ITEM = '.notifications-center .notification-list-item';

async function openCenter(session: Session): Promise<void> {
  if (await session.page.locator('.notifications-center.visible').isVisible()) return;
  await session.page.locator('.statusbar-item .codicon-bell, .statusbar-item .codicon-bell-dot').first().click();
  await session.page.locator('.notifications-center.visible').waitFor({ state: 'visible', timeout: 5_000 });
}

export async function notices(session: Session): Promise<Notice[]> {
  await openCenter(session);
  return session.page.locator(ITEM).evaluateAll((items) =>
    items.map((item) => ({
      message: item.querySelector('.notification-list-item-message')?.textContent?.trim() ?? '',
      severity: /codicon-(error|warning|info)/.exec(item.querySelector('.notification-list-item-icon')?.className ?? '')?.[1] ?? '',
      buttons: Array.from(item.querySelectorAll('.notification-list-item-buttons-container .monaco-button')).map(
        (b) => b.textContent?.trim() ?? '',
      ),
    })),
  );
}

export async function waitForNotice(session: Session, match: RegExp, timeoutMs = 30_000): Promise<Notice> {
  return waitFor(`a notification matching ${match}`, async () => (await notices(session)).find((n) => match.test(n.message)), {
    timeoutMs,
  });
}

export async function clickNoticeButton(session: Session, match: RegExp, button: string): Promise<void> {
  await waitForNotice(session, match);
  const item = session.page
    .locator(ITEM)
    .filter({ has: session.page.locator('.notification-list-item-message', { hasText: match }) })
    .first();
  await item.hover();
  await item.locator('.notification-list-item-buttons-container .monaco-button', { hasText: button }).first().click();
}

export async function clearNotices(session: Session): Promise<void> {
  await session.wb.runCommand('Notifications: Clear All Notifications');
}

export async function closeCenter(session: Session): Promise<void> {
  // The bell toggles the center.
  if (await session.page.locator('.notifications-center.visible').isVisible()) {
    await session.page.locator('.statusbar-item .codicon-bell, .statusbar-item .codicon-bell-dot').first().click();
    await session.page.locator('.notifications-center.visible').waitFor({ state: 'hidden', timeout: 5_000 });
  }
}
