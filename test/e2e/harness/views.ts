// View containers in the activity bar, their views (panes), welcome content and tree items.
import type { Locator, Page } from 'playwright-core';
import { contains, describeMatch, matches, type TextMatch } from './match';
import { poll } from './pagePoll';

export interface TreeItem {
  label: string;
  description: string;
  /** 1 for top-level items. */
  level: number;
  /** undefined for leaves. */
  expanded: boolean | undefined;
  ariaLabel: string;
  selected: boolean;
}

export class Views {
  constructor(private readonly page: Page) {}

  /** The title the side bar shows now (upper-cased by CSS, so compare case-insensitively). */
  async sideBarTitle(): Promise<string> {
    const title = this.page.locator('.part.sidebar .composite.title .title-label');
    return (await title.isVisible()) ? (await title.innerText()).trim() : '';
  }

  /** Opens an activity bar container (e.g. `CMDOP`) unless it is already the one shown. */
  async openContainer(title: string, timeoutMs = 15_000): Promise<void> {
    const isOpen = async () => (await this.sideBarTitle()).toLowerCase().startsWith(title.toLowerCase());
    if (await isOpen()) return;
    await this.page.locator(`.part.activitybar .action-item a.action-label[aria-label^="${title}"]`).first().click();
    await poll(
      this.page,
      `the ${title} side bar`,
      async () => ({ done: await isOpen(), value: true, seen: await this.sideBarTitle() }),
      timeoutMs,
    );
  }

  /** A view's pane, found by the view's name (`Machines`). */
  pane(view: string): Locator {
    return this.page.locator('.monaco-workbench .pane').filter({ has: this.page.locator(`.pane-header[aria-label="${view} Section"]`) });
  }

  /** The welcome content (viewsWelcome) of a view, one paragraph a line; '' when the view shows no welcome. */
  async welcomeText(view: string): Promise<string> {
    const content = this.pane(view).locator('.welcome-view-content');
    if (!(await content.isVisible())) return '';
    return content.locator('p').evaluateAll((ps) => ps.map((p) => p.textContent?.trim() ?? '').join('\n'));
  }

  /** Waits until the welcome text contains `expected` (string) or matches it (RegExp). */
  async waitForWelcomeText(view: string, expected: TextMatch, timeoutMs = 15_000): Promise<string> {
    return poll(
      this.page,
      `welcome text ${describeMatch(expected)} in view ${view}`,
      async () => {
        const text = await this.welcomeText(view);
        return { done: contains(text, expected), value: text };
      },
      timeoutMs,
    );
  }

  /** Labels of the buttons in a view's welcome content (`[Sign In](command:...)` on its own line). */
  async welcomeButtons(view: string): Promise<string[]> {
    return this.pane(view)
      .locator('.welcome-view-content .monaco-button')
      .evaluateAll((buttons) => buttons.map((b) => b.textContent?.trim() ?? ''));
  }

  async clickWelcomeButton(view: string, label: string): Promise<void> {
    await this.pane(view).locator('.welcome-view-content .monaco-button', { hasText: label }).first().click();
  }

  /** Links inside welcome paragraphs (`[Add a Fleet API Key](command:...)` within text). */
  async clickWelcomeLink(view: string, label: string): Promise<void> {
    await this.pane(view).locator('.welcome-view-content a.monaco-link', { hasText: label }).first().click();
  }

  /** The rendered rows of a tree view (virtualised: only what is scrolled into view). */
  async treeItems(view: string): Promise<TreeItem[]> {
    const rows = this.pane(view).locator('.pane-body .monaco-list-row');
    return rows.evaluateAll((elements) =>
      elements.map((row) => {
        const expanded = row.getAttribute('aria-expanded');
        return {
          label: row.querySelector('.label-name')?.textContent?.trim() ?? '',
          description: row.querySelector('.label-description')?.textContent?.trim() ?? '',
          level: Number(row.getAttribute('aria-level') ?? '1'),
          expanded: expanded === null ? undefined : expanded === 'true',
          ariaLabel: row.getAttribute('aria-label') ?? '',
          selected: row.getAttribute('aria-selected') === 'true',
        };
      }),
    );
  }

  async waitForTreeItem(view: string, label: TextMatch, timeoutMs = 30_000): Promise<TreeItem> {
    return poll(
      this.page,
      `tree item ${describeMatch(label)} in view ${view}`,
      async () => {
        const items = await this.treeItems(view);
        const found = items.find((item) => matches(item.label, label));
        return { done: !!found, value: found!, seen: JSON.stringify(items.map((i) => i.label)) };
      },
      timeoutMs,
    );
  }

  /** The row of a tree item, by its label. */
  treeRow(view: string, label: TextMatch): Locator {
    const text = typeof label === 'string' ? new RegExp(`^\\s*${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) : label;
    return this.pane(view)
      .locator('.pane-body .monaco-list-row')
      .filter({ has: this.page.locator('.label-name', { hasText: text }) })
      .first();
  }

  async clickTreeItem(view: string, label: TextMatch): Promise<void> {
    await this.waitForTreeItem(view, label);
    await this.treeRow(view, label).click();
  }

  /** Expands a collapsed tree item (no-op when already expanded). */
  async expandTreeItem(view: string, label: TextMatch): Promise<void> {
    const item = await this.waitForTreeItem(view, label);
    if (item.expanded === false) await this.treeRow(view, label).locator('.monaco-tl-twistie').click();
  }

  /** Clicks an inline action (view/item/context `inline` menu) on a tree item, by its title. */
  async clickTreeItemAction(view: string, label: TextMatch, action: string): Promise<void> {
    const row = this.treeRow(view, label);
    await row.hover();
    await row.locator(`.actions .action-label[aria-label^="${action}"]`).first().click();
  }

  /** Right-clicks a tree item and picks an entry of its context menu. */
  async contextMenu(view: string, label: TextMatch, entry: string): Promise<void> {
    await this.waitForTreeItem(view, label);
    await this.treeRow(view, label).click({ button: 'right' });
    await this.clickMenuEntry(entry);
  }

  /** Entries of the context menu that is open now. */
  async menuEntries(): Promise<string[]> {
    return this.page
      .locator('.context-view .monaco-menu .action-item:not(.disabled) .action-label')
      .evaluateAll((labels) => labels.map((l) => l.textContent?.trim() ?? '').filter(Boolean));
  }

  async clickMenuEntry(entry: string, timeoutMs = 10_000): Promise<void> {
    const item = this.page.locator('.context-view .monaco-menu .action-item:not(.disabled) .action-label', { hasText: entry }).first();
    await item.waitFor({ state: 'visible', timeout: timeoutMs });
    await item.click();
  }

  /** Clicks a view title action (`view/title` menu, `navigation` group), by its title. */
  async clickViewTitleAction(view: string, action: string): Promise<void> {
    await this.pane(view).hover();
    const inPane = this.pane(view).locator(`.pane-header .actions .action-label[aria-label^="${action}"]`);
    // With one view in the container, the header is merged into the side bar title.
    const inTitle = this.page.locator(`.part.sidebar .composite.title .title-actions .action-label[aria-label^="${action}"]`);
    if (await inPane.first().isVisible()) await inPane.first().click();
    else await inTitle.first().click();
  }
}
