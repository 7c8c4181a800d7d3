/** Minimal event emitter so pure modules can announce changes without importing vscode. */
export class Emitter<T = void> {
  private readonly listeners = new Set<(value: T) => void>();

  readonly event = (listener: (value: T) => void): { dispose(): void } => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  fire(value: T): void {
    for (const listener of [...this.listeners]) listener(value);
  }

  /** Drops every listener: nothing fired afterwards reaches anyone. */
  dispose(): void {
    this.listeners.clear();
  }
}
