import type { TokenKeeper } from './tokenKeeper';

const MAX_TIMER_MS = 2 ** 31 - 1;
/** Windows spread their refreshes over up to this long, so they do not all reach for the lease at once. */
const MAX_SPREAD_MS = 30_000;
/** How often the wall clock is checked: timers do not count time asleep, so a laptop lid can skip a refresh. */
const WAKE_CHECK_MS = 20_000;

/**
 * Refreshes the session when it enters the 5-minute window even if nothing is calling, so an idle window
 * does not wake up to an expired token. Each window waits a random part of the time left so that one of them
 * usually refreshes alone; the keeper's lease and re-read handle the rest. Errors surface through the keeper's events.
 */
export function keepSessionFresh(keeper: TokenKeeper, random: () => number = Math.random): { dispose(): void } {
  let timer: NodeJS.Timeout | undefined;
  const refreshNow = () => void keeper.session().catch(() => undefined);
  const schedule = async () => {
    clearTimeout(timer);
    const session = await keeper.peek();
    if (!session) return;
    const due = keeper.msUntilRefresh(session);
    const spread = random() * Math.min(MAX_SPREAD_MS, due / 4);
    timer = setTimeout(refreshNow, Math.min(due + spread, MAX_TIMER_MS));
    timer.unref?.();
  };
  const checkOverslept = async () => {
    const session = await keeper.peek();
    // Past the refresh point by more than the spread: the timer slept through it.
    if (session && keeper.msPastRefresh(session) > MAX_SPREAD_MS) refreshNow();
  };
  const wake = setInterval(() => void checkOverslept().catch(() => undefined), WAKE_CHECK_MS);
  wake.unref?.();
  const subscription = keeper.onDidChange(() => void schedule());
  void schedule();
  return {
    dispose: () => {
      clearTimeout(timer);
      clearInterval(wake);
      subscription.dispose();
    },
  };
}
