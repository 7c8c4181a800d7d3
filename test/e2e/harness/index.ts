// The e2e harness: import what a test needs from here.
export { startSession, type Session, type SessionOptions } from './session';
export { useWorkbench, withFailureCapture, type WorkbenchFixture, type UiTestBody } from './useWorkbench';
export { Workbench } from './workbench';
export { startCodeServer, unpackVsix, type CodeServer, type CodeServerOptions } from './codeServer';
export { ensureCodeServer } from './installCodeServer';
export { launchBrowser, chromiumPath } from './browser';
export { startLocalFleet, fleetEndpoints, type LocalFleet, type LocalFleetOptions } from './fleet';
export { baseSettings, devModeSettings, writeUserSettings, type DevEndpoints } from './userSettings';
export { captureFailure } from './artifacts';
export { waitFor } from './waitFor';
export { extensionId, repoRoot, resultsDir, defaultVsix, fileSafe } from './paths';
export type { TextMatch } from './match';
