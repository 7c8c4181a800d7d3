/** Accumulates pages of a server list so a view can show what it has and ask for more on demand. */
export class PagedList<T> {
  private items: T[] = [];
  private nextPage = 1;
  private more = true;
  private loading: Promise<void> | undefined;
  private reloading: Promise<readonly T[]> | undefined;

  constructor(private readonly fetchPage: (page: number) => Promise<{ results: T[]; has_next: boolean }>) {}

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

  /** Loads the next page; concurrent calls share one request. */
  loadMore(): Promise<void> {
    if (!this.more) return Promise.resolve();
    this.loading ??= this.fetchPage(this.nextPage)
      .then((page) => {
        this.items = this.items.concat(page.results);
        this.more = page.has_next;
        this.nextPage++;
      })
      .finally(() => (this.loading = undefined));
    return this.loading;
  }

  /**
   * Fetches the pages already loaded again (presence polling) and replaces their items; never more pages
   * than were loaded, and concurrent calls share one reload, so a page is never fetched twice at once.
   * `key` drops an item a later page repeats because the list shifted between two page requests.
   */
  reloadLoaded(key: (item: T) => string): Promise<readonly T[]> {
    if (this.reloading) return this.reloading;
    const pages = this.pagesLoaded;
    if (pages === 0 || this.loading) return Promise.resolve(this.items);
    this.reloading = (async () => {
      let fresh: T[] = [];
      let more = this.more;
      for (let page = 1; page <= pages; page++) {
        const result = await this.fetchPage(page);
        fresh = fresh.concat(result.results);
        more = result.has_next;
        if (!more) break;
      }
      const seen = new Set<string>();
      this.items = fresh.filter((item) => {
        const k = key(item);
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      });
      this.more = more;
      return this.items;
    })().finally(() => (this.reloading = undefined));
    return this.reloading;
  }
}
