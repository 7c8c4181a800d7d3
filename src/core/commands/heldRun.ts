import { runArgument } from './commandArguments';

/**
 * The run a rerun/cancel/copy argument names, looked up by id among the runs the Runs view holds. A run
 * object from another extension or a link is never trusted: only its id is read, and an unknown id is refused.
 */
export function heldRun<Run extends { id: number }>(runs: readonly Run[], argument: unknown): Run | undefined {
  if (argument === undefined) return runs[0];
  const ref = runArgument(argument);
  const held = ref && runs.find((r) => r.id === ref.runId);
  if (!held) throw new Error('That run is not in the Runs view: pick a run from the Runs view and try again.');
  return held;
}
