// The User/settings.json a throwaway (or dev) profile starts with.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** The endpoints of a local fleet server, as the extension's `cmdop.endpoints.dev` setting wants them. */
export interface DevEndpoints {
  issuer: string;
  api: string;
  relay: string;
  clientId: string;
}

/** A quiet workbench that tests can read: no welcome pages, no telemetry, no AI panel, terminal text in the DOM. */
export const baseSettings: Record<string, unknown> = {
  'telemetry.telemetryLevel': 'off',
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'security.workspace.trust.enabled': false,
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'editor.minimap.enabled': false,
  'window.confirmBeforeClose': 'never',
  'window.dialogStyle': 'custom',
  // The DOM renderer puts terminal rows into the page (.xterm-rows), so screenshots and DOM reads see the text.
  'terminal.integrated.gpuAcceleration': 'off',
  'terminal.integrated.enablePersistentSessions': false,
  'terminal.integrated.showExitAlert': false,
  'terminal.integrated.confirmOnKill': 'never',
  'terminal.integrated.confirmOnExit': 'never',
  'terminal.integrated.shellIntegration.enabled': false,
  'terminal.integrated.defaultProfile.linux': 'bash',
  // Always show the tabs list, so terminal names can be read even with one terminal.
  'terminal.integrated.tabs.hideCondition': 'never',
};

/** Settings that point the extension at a local fleet server. */
export function devModeSettings(endpoints: DevEndpoints): Record<string, unknown> {
  return { 'cmdop.mode': 'dev', 'cmdop.endpoints': { dev: endpoints } };
}

export function writeUserSettings(userDataDir: string, settings: Record<string, unknown>): string {
  const file = path.join(userDataDir, 'User', 'settings.json');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(settings, null, 2) + '\n');
  return file;
}
