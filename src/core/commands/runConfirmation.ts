/**
 * Whether a run must show the modal confirmation. Only a run that started from the person's own click in
 * our UI may skip it, and only at or below the cmdop.fanOut.confirmAbove threshold; a request from another
 * extension or a command link always asks, however few machines it names.
 */
export function mustConfirmRun(input: {
  machineCount: number;
  confirmAbove: number;
  fromOwnUi: boolean;
  alreadyConfirmed: boolean;
}): boolean {
  if (input.alreadyConfirmed) return false;
  if (!input.fromOwnUi) return true;
  return input.machineCount > input.confirmAbove;
}
