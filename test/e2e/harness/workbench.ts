// One browser page showing the code-server workbench, with helpers for each part of it.
import type { Page } from 'playwright-core';
import { Dialogs } from './dialogs';
import { describeMatch, matches, type TextMatch } from './match';
import { Notifications } from './notifications';
import { QuickInput } from './quickInput';
import { StatusBar } from './statusBar';
import { Terminal } from './terminal';
import { Views } from './views';

export class Workbench {
  readonly quickInput: QuickInput;
  readonly statusBar: StatusBar;
  readonly views: Views;
  readonly notifications: Notifications;
  readonly dialogs: Dialogs;
  readonly terminal: Terminal;

  constructor(readonly page: Page) {
    this.quickInput = new QuickInput(page);
    this.statusBar = new StatusBar(page);
    this.views = new Views(page);
    this.notifications = new Notifications(page);
    this.dialogs = new Dialogs(page);
    this.terminal = new Terminal(page, (title) => this.runCommand(title));
  }

  /** Loads the workbench at `url` and waits until it is restored. */
  async open(url: string, timeoutMs = 120_000): Promise<void> {
    await this.page.goto(url, { timeout: timeoutMs });
    await this.waitReady(timeoutMs);
  }

  /** Waits for the workbench shell, its restore phase (when the smoke-test driver is on) and the status bar. */
  async waitReady(timeoutMs = 120_000): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ state: 'attached', timeout: timeoutMs });
    await this.page.waitForFunction(() => 'driver' in window || document.querySelector('.part.statusbar') !== null, undefined, {
      timeout: timeoutMs,
    });
    await this.page.evaluate(async () => {
      const driver = (window as unknown as { driver?: { whenWorkbenchRestored(): Promise<void> } }).driver;
      if (driver) await driver.whenWorkbenchRestored();
    });
    await this.page.locator('.part.statusbar').waitFor({ state: 'visible', timeout: timeoutMs });
  }

  /** Developer: Reload Window, as the browser does it; waits for the new workbench. */
  async reload(timeoutMs = 120_000): Promise<void> {
    await this.page.reload({ timeout: timeoutMs });
    await this.waitReady(timeoutMs);
  }

  /**
   * Runs a command through the command palette, as a person would: F1, type its title, pick it.
   * `title` is what the palette shows (`CMDOP: Sign In`); `id`, when given, must be the picked row's command id.
   */
  async runCommand(title: string, { id, timeoutMs = 20_000 }: { id?: string; timeoutMs?: number } = {}): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const item = await this.paletteItem(title, Math.max(1_000, deadline - Date.now()));
      if (id && item.id !== id) throw new Error(`palette entry ${JSON.stringify(title)} runs ${item.id}, not ${id}`);
      try {
        // A click that did not happen (the workbench closed or redrew the palette under it) ran nothing: open it again.
        await this.quickInput.pick(title, Math.max(1_000, Math.min(5_000, deadline - Date.now())));
        return;
      } catch (error) {
        if (Date.now() >= deadline)
          throw new Error(`could not pick ${JSON.stringify(title)} in the palette: ${(error as Error).message}`, { cause: error });
      }
    }
  }

  /**
   * Opens the palette filtered to `title` and waits for the entry. The palette snapshots the command list when
   * it opens (commands of extensions still loading are missing), so it is reopened every few seconds.
   */
  private async paletteItem(title: TextMatch, timeoutMs: number, filter = typeof title === 'string' ? title : '') {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const left = deadline - Date.now();
      try {
        await this.quickInput.openCommandPalette();
        // The workbench can close the palette right after it opened (the Welcome walkthrough moving its focus
        // when a step completes): then the input is hidden, and the palette is opened again.
        await this.quickInput.fill(`>${filter}`, Math.max(1_000, Math.min(5_000, left)));
        return await this.quickInput.waitForItem(title, Math.max(1_000, Math.min(5_000, left)));
      } catch (error) {
        if (Date.now() >= deadline) {
          await this.quickInput.cancel().catch(() => undefined);
          throw new Error(`command ${describeMatch(title)} not in the command palette: ${(error as Error).message}`, { cause: error });
        }
      }
    }
  }

  /** Waits until the palette lists a command with this title for the filter; closes the palette. */
  async findCommand(title: TextMatch, filter = typeof title === 'string' ? title : '', timeoutMs = 20_000): Promise<void> {
    await this.paletteItem(title, timeoutMs, filter);
    await this.quickInput.cancel();
  }

  /** Presses a key or chord on the page (`Escape`, `Control+Shift+P`). */
  async press(keys: string): Promise<void> {
    await this.page.keyboard.press(keys);
  }

  /** The window title (the document title). */
  async title(): Promise<string> {
    return this.page.title();
  }

  /** Whether some visible element's text matches: a last resort for parts without a helper. */
  async hasText(text: TextMatch): Promise<boolean> {
    const body = await this.page.locator('.monaco-workbench').innerText();
    return body.split('\n').some((line) => matches(line, text));
  }

  async screenshot(file: string): Promise<void> {
    await this.page.screenshot({ path: file, timeout: 15_000 });
  }
}
