// Starts code-server on a free loopback port with its own user-data and extensions folders,
// the given settings, environment and .vsix files, and stops it again.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureCodeServer } from './installCodeServer';
import { freePort } from './freePort';
import { defaultVsix, fileSafe } from './paths';
import { installExitHooks, stopGroup, track } from './processes';
import { baseSettings, writeUserSettings } from './userSettings';
import { waitFor } from './waitFor';

export interface CodeServerOptions {
  /** Names the temp folder; shows up in logs. */
  name?: string;
  /** .vsix files to install before start. Default: the packaged extension (dist/cmdop.vsix). */
  vsix?: string[];
  /** Merged over the harness's base settings into User/settings.json. */
  settings?: Record<string, unknown>;
  /** Extra environment for code-server, and so for the extension host, terminals and tasks. */
  env?: Record<string, string>;
  /** Folder to open. Default: a fresh empty folder. */
  folder?: string;
  /** Keep state here instead of a throwaway folder (scripts/start.sh). */
  userDataDir?: string;
  extensionsDir?: string;
  /** Default: a free port. */
  port?: number;
  /**
   * Turns on VS Code's smoke-test driver (`--vscode-option enable-smoke-test-driver`): the workbench then accepts
   * `payload` (extensionDevelopmentPath / extensionTestsPath) in its URL and offers `window.driver` (whole
   * terminal buffers). Off by default because it also HIDES NOTIFICATION TOASTS (they only reach the center).
   */
  smokeTestDriver?: boolean;
  /** More `--vscode-option` values passed through to the VS Code server. */
  vscodeOptions?: string[];
}

export interface CodeServer {
  readonly url: string;
  readonly port: number;
  /** `127.0.0.1:PORT`, the remote authority of `vscode-remote://` URIs. */
  readonly authority: string;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  readonly folder: string;
  /** code-server's own stdout and stderr. */
  readonly logFile: string;
  /** The workbench URL for the folder, optionally with a development payload. */
  workbenchUrl(options?: { payload?: [string, string][] }): string;
  /** A path on the server as a `vscode-remote://` URI string. */
  remoteUri(fsPath: string): string;
  /** The folder where the VS Code server writes this session's logs (extension host, output channels). */
  logsDir(): string | undefined;
  /** Ends code-server and everything it started; removes throwaway folders unless CMDOP_E2E_KEEP=1. */
  stop(): Promise<void>;
}

function installVsix(wrapper: string, vsix: string, userDataDir: string, extensionsDir: string, config: string): void {
  if (!existsSync(vsix)) throw new Error(`${vsix} does not exist: run \`npm run package\` first`);
  const out = execFileSync(
    wrapper,
    ['--install-extension', vsix, '--force', '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--config', config],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (!/successfully installed/i.test(out)) throw new Error(`installing ${vsix} failed:\n${out}`);
}

/** Installs a .vsix into `extensionsDir` without starting a server; returns the unpacked extension's folder. */
export function unpackVsix(vsix: string, extensionsDir: string): string {
  const wrapper = ensureCodeServer();
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'cmdop-unpack-'));
  try {
    const config = path.join(scratch, 'config.yaml');
    writeFileSync(config, 'auth: none\n');
    installVsix(wrapper, vsix, path.join(scratch, 'user-data'), extensionsDir, config);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const registry = JSON.parse(readFileSync(path.join(extensionsDir, 'extensions.json'), 'utf8')) as { relativeLocation: string }[];
  return path.join(extensionsDir, registry[registry.length - 1].relativeLocation);
}

export async function startCodeServer(options: CodeServerOptions = {}): Promise<CodeServer> {
  installExitHooks();
  const wrapper = ensureCodeServer();
  const root = mkdtempSync(path.join(os.tmpdir(), `cmdop-e2e-${fileSafe(options.name ?? 'session')}-`));
  const userDataDir = options.userDataDir ?? path.join(root, 'user-data');
  const extensionsDir = options.extensionsDir ?? path.join(root, 'extensions');
  const folder = options.folder ?? path.join(root, 'workspace');
  for (const dir of [userDataDir, extensionsDir, folder]) mkdirSync(dir, { recursive: true });
  // A config file of our own keeps code-server from writing ~/.config/code-server/config.yaml.
  const config = path.join(root, 'config.yaml');
  writeFileSync(config, 'auth: none\n');
  writeUserSettings(userDataDir, { ...baseSettings, ...options.settings });
  for (const vsix of options.vsix ?? [defaultVsix]) installVsix(wrapper, vsix, userDataDir, extensionsDir, config);

  const port = options.port ?? (await freePort());
  const authority = `127.0.0.1:${port}`;
  const vscodeOptions = [...(options.smokeTestDriver ? ['enable-smoke-test-driver'] : []), ...(options.vscodeOptions ?? [])];
  const args = [
    '--bind-addr',
    authority,
    '--auth',
    'none',
    '--config',
    config,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
    ...vscodeOptions.flatMap((o) => ['--vscode-option', o]),
    folder,
  ];
  const logFile = path.join(root, 'code-server.log');
  const logFd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(wrapper, args, {
      cwd: folder,
      detached: true,
      stdio: ['ignore', logFd, logFd],
      env: { ...process.env, ...options.env },
    });
  } finally {
    closeSync(logFd);
  }
  track(child);
  const readLog = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');

  const stop = async () => {
    await stopGroup(child);
    if (process.env.CMDOP_E2E_KEEP !== '1') rmSync(root, { recursive: true, force: true });
  };

  try {
    await waitFor(
      `code-server to listen on ${authority}`,
      () => {
        if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}:\n${readLog().slice(-3000)}`);
        return readLog().includes('HTTP server listening on') || undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
  } catch (error) {
    await stop();
    throw error;
  }

  const url = `http://${authority}/`;
  const remoteUri = (fsPath: string) => `vscode-remote://${authority}${path.resolve(fsPath)}`;
  return {
    url,
    port,
    authority,
    userDataDir,
    extensionsDir,
    folder,
    logFile,
    remoteUri,
    workbenchUrl({ payload } = {}) {
      const query = new URLSearchParams({ folder });
      if (payload) query.set('payload', JSON.stringify(payload));
      return `${url}?${query.toString()}`;
    },
    logsDir() {
      const logs = path.join(userDataDir, 'logs');
      if (!existsSync(logs)) return undefined;
      const sessions = readdirSync(logs).sort();
      return sessions.length ? path.join(logs, sessions[sessions.length - 1]) : undefined;
    },
    stop,
  };
}
