/** What a page request asks for: the page number (upstream's offset pages) and, where the server has them, a cursor. */
export interface PageRequest {
  page: number;
  /**
   * Keyset paging (this project's server addition): '' for the first page, then the previous page's next_cursor.
   * Undefined once the server showed it has no cursors (no next_cursor in its answer): pages go by number then.
   */
  cursor?: string;
}

export interface Page<T> {
  results: T[];
  has_next: boolean;
  /** Where the next page starts, from a server with keyset paging; absent from an upstream server. */
  next_cursor?: string | null;
}

/**
 * Accumulates pages of a server list so a view can show what it has and ask for more on demand. Where the server
 * hands out cursors, each page continues after the last item seen, so an order that changes between requests (a
 * refresh, machines coming online) can neither skip nor repeat an item; on offset pages, repeats are dropped by key.
 * Loading more and reloading never overlap: one waits for the other, so a reload never drops a page just loaded.
 */
export class PagedList<T> {
  private items: T[] = [];
  private seen = new Set<string>();
  private nextPage = 1;
  private nextCursor: string | undefined = '';
  private keyset: boolean | undefined;
  private more = true;
  private loading: Promise<void> | undefined;
  private reloading: Promise<readonly T[]> | undefined;

  constructor(
    private readonly fetchPage: (request: PageRequest) => Promise<Page<T>>,
    private readonly key: (item: T) => string,
  ) {}

  get loaded(): readonly T[] {
    return this.items;
  }

  get hasMore(): boolean {
    return this.more;
  }

  /** How many pages have been fetched so far (what a reload costs in requests). */
  get pagesLoaded(): number {
    return this.nextPage - 1;
  }

  /** Loads the next page (after a reload under way); concurrent calls share one request. */
  loadMore(): Promise<void> {
    if (!this.more) return Promise.resolve();
    this.loading ??= (this.reloading ?? Promise.resolve())
      .catch(() => undefined)
      .then(async () => {
        if (!this.more) return;
        const page = await this.fetchPage(this.request(this.nextPage, this.nextCursor));
        this.items = this.items.concat(this.fresh(page.results, this.seen));
        this.advance(page);
        this.nextPage++;
      })
      .finally(() => (this.loading = undefined));
    return this.loading;
  }

  /**
   * Fetches the pages already loaded again (presence polling) and replaces their items; never more pages than were
   * loaded, and concurrent calls share one reload. A load under way is not interrupted: the reload is skipped.
   */
  reloadLoaded(): Promise<readonly T[]> {
    if (this.reloading) return this.reloading;
    const pages = this.pagesLoaded;
    if (pages === 0 || this.loading) return Promise.resolve(this.items);
    this.reloading = (async () => {
      const seen = new Set<string>();
      let fresh: T[] = [];
      let cursor: string | undefined = this.keyset === false ? undefined : '';
      let last: Page<T> | undefined;
      for (let page = 1; page <= pages; page++) {
        last = await this.fetchPage(this.request(page, cursor));
        fresh = fresh.concat(this.fresh(last.results, seen));
        cursor = last.next_cursor ?? undefined;
        if (!last.has_next) break;
      }
      this.items = fresh;
      this.seen = seen;
      if (last) this.advance(last);
      return this.items;
    })().finally(() => (this.reloading = undefined));
    return this.reloading;
  }

  private request(page: number, cursor: string | undefined): PageRequest {
    return this.keyset === false ? { page } : { page, cursor: cursor ?? '' };
  }

  private advance(page: Page<T>): void {
    if (this.keyset === undefined) this.keyset = page.next_cursor !== undefined;
    this.nextCursor = page.next_cursor ?? undefined;
    this.more = page.has_next;
  }

  /** The items not seen yet (an offset page repeats those the list shifted onto it). */
  private fresh(results: T[], seen: Set<string>): T[] {
    return results.filter((item) => {
      const k = this.key(item);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  }
}
