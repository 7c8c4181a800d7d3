// Child process groups started by the harness, and how they end: politely first, then for sure,
// and also when the test process itself exits or is told to stop.
import type { ChildProcess } from 'node:child_process';

const live = new Set<number>();

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Remembers a child started with `detached: true` (its own process group) so it never outlives the tests. */
export function track(child: ChildProcess): void {
  if (child.pid) live.add(child.pid);
  child.once('exit', () => child.pid && live.delete(child.pid));
}

/** Ends a tracked child's whole process group: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopGroup(child: ChildProcess, graceMs = 5_000): Promise<void> {
  const pid = child.pid;
  if (!pid) return;
  const exited = child.exitCode !== null || child.signalCode !== null;
  if (!exited) {
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    killGroup(pid, 'SIGTERM');
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
    if ((await Promise.race([gone, timer])) === 'timeout') killGroup(pid, 'SIGKILL');
    await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
  }
  // Grandchildren (extension host, pty host, shells) may still hold the group.
  killGroup(pid, 'SIGKILL');
  live.delete(pid);
}

let hooked = false;
export function installExitHooks(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const pid of live) killGroup(pid, 'SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      for (const pid of live) killGroup(pid, 'SIGKILL');
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
}
