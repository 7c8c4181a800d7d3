// Reads what one mode's services need from VS Code (settings, secret storage, the shared folder of this
// profile's windows) and hands it to the pure builder in core; adds the VS Code authentication provider.
import * as vscode from 'vscode';
import { showInformation } from './vscode/notify';
import { endpointsFor, type Mode, parseMode } from './core/credentials/endpoints';
import { buildModeServices, type ModeServices as CoreModeServices } from './core/modeServices';
import { mkdirSync } from 'node:fs';
import { SecretPeers } from './core/windows/secretPeers';
import type { SecretStore } from './core/windows/storage';
import { CmdopAuthenticationProvider } from './vscode/authProvider';
import { readProxySettings } from './vscode/proxySettings';

export interface ModeServices extends CoreModeServices {
  auth: CmdopAuthenticationProvider;
}

export function readMode(): Mode {
  return parseMode(vscode.workspace.getConfiguration('cmdop').get('mode'));
}

/** `secrets` is this window's SecretStorage as the other windows of the profile follow it (SecretPeers, when it could start). */
export function createModeServices(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, secrets: SecretStore): ModeServices {
  const mode = readMode();
  const core = buildModeServices({
    mode,
    endpoints: endpointsFor(mode, vscode.workspace.getConfiguration('cmdop').get('endpoints')),
    env: process.env,
    secrets,
    state: context.globalState,
    sharedDir: secrets instanceof SecretPeers ? secrets.dir : ownStorageFolder(context),
    settingFleet: () => vscode.workspace.getConfiguration('cmdop').get<string>('fleet') || undefined,
    proxy: readProxySettings,
    confirmLegacyImport: async (file) => {
      const names = file.workspaces.map((w) => w.name).join(', ');
      const answer = await showInformation(
        `CMDOP found fleet API keys in the retired plaintext file ${file.path} (${names}). Import them into VS Code's secret storage? You are asked only once; the file is left untouched.`,
        { modal: true },
        'Import',
        'Skip',
      );
      return answer === 'Import';
    },
    log,
  });
  const auth = new CmdopAuthenticationProvider(core.keeper, core.idp);
  return {
    ...core,
    auth,
    dispose: () => {
      auth.dispose();
      core.dispose();
    },
  };
}

/**
 * Without a private peer folder the refresh election's lock file lives in the extension's own storage folder,
 * which every window of the profile shares too (VS Code creates it for the user alone).
 */
function ownStorageFolder(context: vscode.ExtensionContext): string {
  const folder = context.globalStorageUri.fsPath;
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
  } catch {
    // A lease that cannot be written there refreshes alone (see FileLease), as one window always could.
  }
  return folder;
}
