import type { TokenKeeper } from './tokenKeeper';

const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Refreshes the session when it enters the 5-minute window even if nothing is calling,
 * so an idle window does not wake up to an expired token. Errors surface through the keeper's events.
 */
export function keepSessionFresh(keeper: TokenKeeper): { dispose(): void } {
  let timer: NodeJS.Timeout | undefined;
  const schedule = async () => {
    clearTimeout(timer);
    const session = await keeper.peek();
    if (!session) return;
    timer = setTimeout(() => void keeper.session().catch(() => undefined), Math.min(keeper.msUntilRefresh(session), MAX_TIMER_MS));
    timer.unref?.();
  };
  const subscription = keeper.onDidChange(() => void schedule());
  void schedule();
  return {
    dispose: () => {
      clearTimeout(timer);
      subscription.dispose();
    },
  };
}
