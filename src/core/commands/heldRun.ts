/**
 * The run a rerun/cancel/copy argument names, looked up by id among the runs the Runs view holds. A run
 * object from another extension or a link is never trusted: only its id is read, and an unknown id is refused.
 */
export function heldRun<Run extends { id: number }>(runs: readonly Run[], argument: unknown): Run | undefined {
  if (argument === undefined) return runs[0];
  const run = typeof argument === 'object' && argument !== null ? (argument as { run?: unknown }).run : undefined;
  const id = typeof run === 'object' && run !== null ? (run as { id?: unknown }).id : undefined;
  const held = typeof id === 'number' ? runs.find((r) => r.id === id) : undefined;
  if (!held) throw new Error('That run is not in the Runs view: pick a run from the Runs view and try again.');
  return held;
}
