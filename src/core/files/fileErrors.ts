import { CmdopError, MachineFileError, type MachineFileErrorKind } from '../errors';
import { RelayCallError, Status } from '../relay/relayErrors';

/** gRPC codes beyond relayErrors' list that the file RPCs use (numbers fixed by the gRPC spec). */
const ALREADY_EXISTS = 6;
const RESOURCE_EXHAUSTED = 8;
const UNIMPLEMENTED = 12;

/** Upstream agents answer `{ success: false, error }` with an OS-style text; the kind is read from it. */
const TEXT_KINDS: [RegExp, MachineFileErrorKind][] = [
  [/not a directory|ENOTDIR/i, 'FileNotADirectory'],
  [/is a directory|EISDIR/i, 'FileIsADirectory'],
  [/no such file|not found|does not exist|ENOENT/i, 'FileNotFound'],
  [/already exists|EEXIST/i, 'FileExists'],
  [/permission|denied|not allowed|read-only|guest|outside|EACCES|EPERM|EROFS/i, 'NoPermissions'],
  [/offline|unavailable|not connected|disconnected/i, 'Unavailable'],
];

export function kindOfText(text: string): MachineFileErrorKind {
  return TEXT_KINDS.find(([pattern]) => pattern.test(text))?.[1] ?? 'Other';
}

/** The kind of a failed call: from the gRPC status where it says enough, else from the message. */
export function kindOfError(err: unknown): MachineFileErrorKind {
  if (err instanceof MachineFileError) return err.kind;
  const code = err instanceof RelayCallError ? err.code : (err as { code?: unknown })?.code;
  switch (code) {
    case Status.NOT_FOUND:
      return 'FileNotFound';
    case ALREADY_EXISTS:
      return 'FileExists';
    case Status.PERMISSION_DENIED:
    case Status.UNAUTHENTICATED:
      return 'NoPermissions';
    case Status.UNAVAILABLE:
    case Status.DEADLINE_EXCEEDED:
      return 'Unavailable';
    default:
      return kindOfText((err as Error)?.message ?? String(err));
  }
}

/** Whether the relay refused the message for its size (then the save is refused whole, see FileTooLargeToWriteError). */
export function isTooLarge(err: unknown): boolean {
  return (err as { code?: unknown })?.code === RESOURCE_EXHAUSTED;
}

/**
 * The relay no longer knows the agent session the call named (the machine restarted and has a new one): a
 * gRPC NOT_FOUND, never an in-band answer, which is how a missing file is reported.
 */
export function isUnknownSession(err: unknown): boolean {
  if (err instanceof MachineFileError) return false;
  const code = err instanceof RelayCallError ? err.code : (err as { code?: unknown })?.code;
  return code === Status.NOT_FOUND;
}

export function isUnimplemented(err: unknown): boolean {
  return (err as { code?: unknown })?.code === UNIMPLEMENTED;
}

/** A failed file call as a MachineFileError whose message names the machine and the path. */
export function machineFileError(err: unknown, hostname: string, path: string): MachineFileError {
  if (err instanceof MachineFileError) return err;
  const message = (err as Error)?.message ?? String(err);
  const kind = kindOfError(err);
  if (isUnimplemented(err))
    return new MachineFileError('Unavailable', `The relay for ${hostname} does not serve files (it has no file RPCs): ${message}`);
  if (err instanceof CmdopError && kind === 'Unavailable') return new MachineFileError(kind, message);
  return new MachineFileError(kind, `${hostname}:${path}: ${message}`);
}
