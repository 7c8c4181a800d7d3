// Terminals in the panel. xterm.js draws on a canvas by default; the harness sets
// `terminal.integrated.gpuAcceleration: off`, so the DOM renderer puts the visible rows into the page
// (`.xterm-rows`), where text() reads them. bufferText() gets the whole buffer, scrollback included, through
// Terminal: Select All + Copy Selection and the clipboard. With the smoke-test driver on (host suite),
// `window.driver.getTerminalBuffer` is used instead.
import type { Page } from 'playwright-core';
import { contains, describeMatch, type TextMatch } from './match';
import { poll } from './pagePoll';

const ACTIVE = '.terminal-wrapper.active';

interface SmokeTestDriver {
  getTerminalBuffer(selector: string): Promise<string[]>;
  writeInTerminal(selector: string, text: string): Promise<void>;
}

function tidy(lines: string[]): string {
  return lines
    .map((line) => line.replace(/\u00a0/g, ' ').replace(/\s+$/, ''))
    .join('\n')
    .replace(/\n+$/, '');
}

export class Terminal {
  constructor(
    private readonly page: Page,
    private readonly runCommand: (title: string) => Promise<void>,
  ) {}

  /** Waits until a terminal is shown in the panel. */
  async waitForTerminal(timeoutMs = 30_000): Promise<void> {
    await this.page.locator(`${ACTIVE} .xterm`).first().waitFor({ state: 'visible', timeout: timeoutMs });
  }

  /** The visible text of the terminal shown now (whole buffer with the smoke-test driver), trailing blanks dropped. */
  async text(): Promise<string> {
    const lines = await this.page.evaluate(async (selector) => {
      const driver = (window as unknown as { driver?: SmokeTestDriver }).driver;
      const wrapper = document.querySelector(selector) as (Element & { xterm?: unknown }) | null;
      if (!wrapper) return null;
      if (driver && wrapper.xterm) return driver.getTerminalBuffer(selector);
      const rows = wrapper.querySelector('.xterm-rows') as HTMLElement | null;
      return rows ? rows.innerText.split('\n') : [];
    }, ACTIVE);
    if (lines === null) throw new Error('no terminal is shown');
    return tidy(lines);
  }

  /** The whole buffer of the terminal shown now, scrollback included (selects all and copies; clears the selection). */
  async bufferText(): Promise<string> {
    await this.page.evaluate(() => navigator.clipboard.writeText(''));
    await this.runCommand('Terminal: Select All');
    // Copy Selection is missing from the palette (its precondition wants the terminal focused): use its key.
    await this.page.keyboard.press('Control+Shift+C');
    const text = await poll(
      this.page,
      'the terminal text on the clipboard',
      async () => {
        const value = await this.page.evaluate(() => navigator.clipboard.readText());
        return { done: value.length > 0, value };
      },
      5_000,
    );
    await this.page.keyboard.press('Escape');
    return tidy(text.split(/\r?\n/));
  }

  /** Waits until the shown terminal contains `expected` (string) or matches it (RegExp); returns its text. */
  async waitForText(expected: TextMatch, timeoutMs = 30_000): Promise<string> {
    return poll(
      this.page,
      `terminal text ${describeMatch(expected)}`,
      async () => {
        const text = await this.text();
        return { done: contains(text, expected), value: text, seen: JSON.stringify(text.slice(-800)) };
      },
      timeoutMs,
    );
  }

  /**
   * Sends text to the shown terminal as if typed (`\r` is Enter). Goes through xterm's input path,
   * so it works without keyboard focus; falls back to real key presses.
   */
  async send(text: string): Promise<void> {
    const done = await this.page.evaluate(
      async ({ selector, data }) => {
        const driver = (window as unknown as { driver?: SmokeTestDriver }).driver;
        const wrapper = document.querySelector(selector) as (Element & { xterm?: unknown }) | null;
        if (!driver || !wrapper?.xterm) return false;
        await driver.writeInTerminal(selector, data);
        return true;
      },
      { selector: ACTIVE, data: text },
    );
    if (!done) {
      await this.focus();
      await this.page.keyboard.type(text.replace(/\r/g, '\n'));
    }
  }

  /** Types a line and presses Enter. */
  async sendLine(line: string): Promise<void> {
    await this.send(`${line}\r`);
  }

  async focus(): Promise<void> {
    await this.page.locator(`${ACTIVE} .xterm`).first().click();
  }

  /** Names of the open terminals, in tab order (e.g. `bash`, or what the extension named its terminal). */
  async names(): Promise<string[]> {
    return this.page.locator('.terminal-tabs-entry .label-name').evaluateAll((labels) => labels.map((l) => l.textContent?.trim() ?? ''));
  }

  /** The name of the terminal shown now. */
  async activeName(): Promise<string> {
    const active = this.page.locator('.terminal-tabs-entry').locator('xpath=ancestor::*[contains(@class,"monaco-list-row")][1]');
    const selected = active.filter({ has: this.page.locator('xpath=self::*[@aria-selected="true"]') });
    if (await selected.count()) return (await selected.first().locator('.label-name').innerText()).trim();
    const names = await this.names();
    return names[names.length - 1] ?? '';
  }

  /** Shows the terminal tab with this name. */
  async select(name: string): Promise<void> {
    await this.page.locator('.terminal-tabs-entry .label-name', { hasText: name }).first().click();
    await poll(
      this.page,
      `terminal ${name} to be shown`,
      async () => ({ done: (await this.activeName()).includes(name), value: true }),
      10_000,
    );
  }

  async waitForName(expected: TextMatch, timeoutMs = 30_000): Promise<string> {
    return poll(
      this.page,
      `a terminal named ${describeMatch(expected)}`,
      async () => {
        const names = await this.names();
        const found = names.find((n) => contains(n, expected));
        return { done: !!found, value: found ?? '', seen: JSON.stringify(names) };
      },
      timeoutMs,
    );
  }
}
