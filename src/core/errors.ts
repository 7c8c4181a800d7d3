import type { CredentialSource } from './credentials/credential';
import { describeSource } from './credentials/credential';

/** Base of every error the extension shows; `message` is written for the user and never holds a secret. */
export class CmdopError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A command's session ended for a reason other than the command's own exit: there is no exit code to report. */
export class SessionEndedError extends CmdopError {
  constructor(
    readonly hostname: string,
    readonly reason: string,
  ) {
    super(`The session on ${hostname} ended before the command did (${reason}); its exit code is unknown. Run the command again.`);
  }
}

export class NotSignedInError extends CmdopError {
  constructor() {
    super('Not signed in to CMDOP. Run "CMDOP: Sign In" or add a fleet API key with "CMDOP: Add Fleet API Key".');
  }
}

/** A credential was refused or unusable; the message always names where it came from. */
export class CredentialRefusedError extends CmdopError {
  constructor(
    readonly source: CredentialSource,
    readonly reason: string,
  ) {
    super(`${describeSource(source)} was refused: ${reason}`);
  }
}

export class InvalidApiKeyFormatError extends CmdopError {
  constructor(origin: string) {
    super(
      `${origin} is not a CMDOP fleet API key: keys start with "cmdop_". Copy the key again from the fleet's settings in the CMDOP cabinet.`,
    );
  }
}

export class DeviceFlowError extends CmdopError {
  constructor(
    readonly reason: 'denied' | 'expired' | 'cancelled' | 'failed',
    detail?: string,
  ) {
    super(DeviceFlowError.messageFor(reason, detail));
  }

  private static messageFor(reason: DeviceFlowError['reason'], detail?: string): string {
    switch (reason) {
      case 'denied':
        return 'Sign-in was denied in the browser. Run "CMDOP: Sign In" again to retry.';
      case 'expired':
        return 'The sign-in code expired before it was approved. Run "CMDOP: Sign In" again for a new code.';
      case 'cancelled':
        return 'Sign-in was cancelled.';
      case 'failed':
        return `Sign-in failed: ${detail ?? 'unknown error'}.`;
    }
  }
}

/** The refresh token no longer works (revoked or expired): the session is gone and the user must sign in again. */
export class SessionExpiredError extends CmdopError {
  constructor(detail: string) {
    super(`Your CMDOP session ended (${detail}). Sign in again.`);
  }
}

/** An error whose message already says which setting fixes it (a TLS or proxy failure). */
export class AdvisedError extends CmdopError {}

/** The AdvisedError somewhere in an error's cause chain (libraries such as openid-client wrap fetch errors). */
export function findAdvisedError(err: unknown): AdvisedError | undefined {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof AdvisedError) return e;
  }
  return undefined;
}

export class ServerUnreachableError extends CmdopError {
  /** `failure`: the error, or a text for it; an AdvisedError in it brings its own advice instead of ours. */
  constructor(what: string, address: string, failure: string | unknown) {
    const advised = typeof failure === 'string' ? undefined : findAdvisedError(failure);
    const detail = typeof failure === 'string' ? failure : ((failure as Error)?.message ?? String(failure));
    super(
      advised
        ? `Cannot reach the CMDOP ${what} at ${address}: ${advised.message}`
        : `Cannot reach the CMDOP ${what} at ${address}: ${detail}. Check the "cmdop.endpoints" setting and your network.`,
    );
  }
}

/** Refusing to send a fleet's credential anywhere but that fleet's own server. */
export class CrossFleetCredentialError extends CmdopError {
  constructor(source: CredentialSource, keyFleet: string, targetFleet: string) {
    super(
      `${describeSource(source)} belongs to fleet "${keyFleet}" and is not sent to fleet "${targetFleet}". ` +
        `Add a key for "${targetFleet}" or sign in with an account that is a member of it.`,
    );
  }
}

/** Said wherever the mode's services could not be built (a bad setting); the log says which one. */
export const NOT_CONFIGURED_MESSAGE = 'CMDOP is not configured correctly; see "CMDOP: Show Log".';

export class NotConfiguredError extends CmdopError {
  constructor() {
    super(NOT_CONFIGURED_MESSAGE);
  }
}

export class ApiError extends CmdopError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class LegacyFileError extends CmdopError {}

/** The only stored key was added while cmdop.mode or cmdop.endpoints named other hosts; it is not sent to these. */
export class CredentialForOtherEndpointsError extends CmdopError {
  constructor(readonly fleetName: string) {
    super(
      `The API key of fleet "${fleetName}" was added for other CMDOP endpoints ("cmdop.mode" or "cmdop.endpoints" changed since), so it is not sent to these. Add the key again with "CMDOP: Add Fleet API Key", or run "CMDOP: Sign In".`,
    );
  }
}

export class NoCredentialForFleetError extends CmdopError {
  constructor(readonly fleet: string) {
    super(
      `No credential can reach fleet "${fleet}": add its API key ("CMDOP: Add Fleet API Key") or sign in with an account that is a member of it.`,
    );
  }
}

/** How a file operation on a machine failed, in the terms of VS Code's FileSystemError kinds. */
export type MachineFileErrorKind =
  'FileNotFound' | 'FileExists' | 'FileNotADirectory' | 'FileIsADirectory' | 'NoPermissions' | 'Unavailable' | 'Other';

/** A file operation on a machine failed; `kind` picks the FileSystemError the editor shows. */
export class MachineFileError extends CmdopError {
  constructor(
    readonly kind: MachineFileErrorKind,
    message: string,
  ) {
    super(message);
  }
}

/** A save bigger than the relay carries in one message: refused whole, never cut. */
export class FileTooLargeToWriteError extends MachineFileError {
  constructor(path: string, size: number, limit: number, refusedByRelay = false) {
    const limitText = refusedByRelay
      ? 'the relay refused it as too large for one message'
      : `the CMDOP relay carries at most ${formatBytes(limit)} in one write`;
    super(
      'NoPermissions',
      `${path} is ${formatBytes(size)} and ${limitText}, so it was not saved (nothing was cut or written). Make the file smaller, or copy it to the machine another way.`,
    );
  }
}

/** Guests see a fleet's machines and read their files but never change them. */
export class GuestReadOnlyError extends MachineFileError {
  constructor(fleet: string) {
    super(
      'NoPermissions',
      `You are a Guest in fleet "${fleet}": files on its machines are read-only for you. Ask a fleet admin for the Member role to change them.`,
    );
  }
}

/** The machine cannot be reached now; the folder works again once it is back, with no reload. */
export class MachineUnavailableError extends MachineFileError {
  constructor(hostname: string, fleet: string, detail: string) {
    super(
      'Unavailable',
      `${hostname} in fleet "${fleet}" is unavailable (${detail}). Start the machine's agent; its files come back by themselves once it is online.`,
    );
  }
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1).replace(/\.0$/, '')} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MiB`;
}
