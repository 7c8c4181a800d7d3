/** Accumulates pages of a server list so a view can show what it has and ask for more on demand. */
export class PagedList<T> {
  private items: T[] = [];
  private nextPage = 1;
  private more = true;
  private loading: Promise<void> | undefined;

  constructor(private readonly fetchPage: (page: number) => Promise<{ results: T[]; has_next: boolean }>) {}

  get loaded(): readonly T[] {
    return this.items;
  }

  get hasMore(): boolean {
    return this.more;
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
}
