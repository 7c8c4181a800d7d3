// A whole test setup: (optionally) a fleet server, code-server with the extension, Chromium on the workbench.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { captureFailure } from './artifacts';
import { launchBrowser } from './browser';
import { startCodeServer, type CodeServer, type CodeServerOptions } from './codeServer';
import { fleetEndpoints, startLocalFleet, type LocalFleet, type LocalFleetOptions } from './fleet';
import { contains, describeMatch, type TextMatch } from './match';
import { extensionId } from './paths';
import { devModeSettings } from './userSettings';
import { waitFor } from './waitFor';
import { Workbench } from './workbench';

export interface SessionOptions extends CodeServerOptions {
  /**
   * `true` or fleet-server options: start a local fleet server for this session (closed with it), and point
   * `cmdop.mode`/`cmdop.endpoints.dev` at it; or pass a running one (not closed).
   */
  fleet?: boolean | LocalFleetOptions | LocalFleet;
  /**
   * Extension development payload for the workbench URL, e.g. [["extensionDevelopmentPath", uri],
   * ["extensionTestsPath", uri]] with `vscode-remote://` URIs (server.remoteUri(path)). Turns on the smoke-test
   * driver, without which the workbench ignores the payload.
   */
  payload?: [string, string][] | ((server: CodeServer) => [string, string][]);
  /** Open the workbench right away (default true). */
  open?: boolean;
  viewport?: { width: number; height: number };
}

export interface Session {
  readonly server: CodeServer;
  readonly fleet: LocalFleet | undefined;
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  readonly wb: Workbench;
  /** Browser console messages (errors and warnings), for failure reports. */
  readonly consoleLines: string[];
  /** Pages the workbench opened (vscode.env.openExternal, links), oldest first. */
  readonly popups: Page[];
  /** Opens (or reopens) the workbench. */
  openWorkbench(): Promise<void>;
  /**
   * Opens a second VS Code window on the same code-server: another page of the same browser context, so it
   * has its own extension host and shares SecretStorage with the first, like two windows of one user.
   */
  openWindow(): Promise<{ page: Page; wb: Workbench }>;
  /** Waits for a page the workbench opens whose URL contains/matches `url`. */
  waitForPopup(url?: TextMatch, timeoutMs?: number): Promise<Page>;
  /** The newest log file of an output channel the extension created with `{ log: true }` ('' if none yet). */
  extensionLog(channel?: string): string;
  /** Screenshot and logs into test-results/ under the test's name. */
  captureFailure(testName: string): Promise<string[]>;
  close(): Promise<void>;
}

export async function startSession(options: SessionOptions = {}): Promise<Session> {
  let fleet: LocalFleet | undefined;
  let ownsFleet = false;
  if (options.fleet && typeof options.fleet === 'object' && 'issuer' in options.fleet) {
    fleet = options.fleet;
  } else if (options.fleet) {
    fleet = await startLocalFleet(options.fleet === true ? {} : options.fleet);
    ownsFleet = true;
  }
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  try {
    server = await startCodeServer({
      ...options,
      smokeTestDriver: options.smokeTestDriver ?? options.payload !== undefined,
      settings: { ...(fleet ? devModeSettings(fleetEndpoints(fleet)) : {}), ...options.settings },
    });
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: options.viewport ?? { width: 1400, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url.replace(/\/$/, '') });
    // Nothing leaves the machine: pages opened on outside addresses get a stub (so their URL stays readable),
    // other outside requests (extension gallery, ...) fail at once instead of waiting for DNS.
    await context.route(
      (url) => !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) && /^(https?|wss?):$/.test(url.protocol),
      (route) =>
        route.request().resourceType() === 'document'
          ? route.fulfill({ status: 200, contentType: 'text/html', body: '<h1>Outside page: blocked by the e2e harness</h1>' })
          : route.abort('internetdisconnected'),
    );
    // tsx/esbuild name helpers (`__name(fn, "fn")`) leak into callbacks sent to page.evaluate; make them harmless.
    await context.addInitScript({ content: 'globalThis.__name = globalThis.__name || ((fn) => fn);' });
    const page = await context.newPage();
    const consoleLines: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') consoleLines.push(`[${message.type()}] ${message.text()}`);
    });
    page.on('pageerror', (error) => consoleLines.push(`[pageerror] ${error.message}`));
    const popups: Page[] = [];
    context.on('page', (p) => {
      if (p !== page) popups.push(p);
    });
    const wb = new Workbench(page);
    const theServer = server;
    const theBrowser = browser;
    const payload = typeof options.payload === 'function' ? options.payload(theServer) : options.payload;
    const url = theServer.workbenchUrl({ payload });

    const session: Session = {
      server: theServer,
      fleet,
      browser: theBrowser,
      context,
      page,
      wb,
      consoleLines,
      popups,
      openWorkbench: () => wb.open(url),
      async openWindow() {
        const other = await context.newPage();
        other.on('pageerror', (error) => consoleLines.push(`[pageerror, window 2] ${error.message}`));
        const otherWb = new Workbench(other);
        await otherWb.open(url);
        return { page: other, wb: otherWb };
      },
      async waitForPopup(match, timeoutMs = 30_000) {
        return waitFor(
          `a page ${match ? describeMatch(match) : ''} to open`,
          () => popups.find((p) => !match || contains(p.url(), match)),
          { timeoutMs },
        );
      },
      extensionLog(channel = 'CMDOP') {
        const logs = theServer.logsDir();
        if (!logs) return '';
        const files = readdirSync(logs)
          .filter((dir) => dir.startsWith('exthost'))
          .map((dir) => path.join(logs, dir, extensionId, `${channel}.log`))
          .filter((file) => existsSync(file))
          .sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs);
        return files.length ? readFileSync(files[files.length - 1], 'utf8') : '';
      },
      captureFailure(testName) {
        return captureFailure(testName, {
          page,
          codeServerLog: theServer.logFile,
          logsDir: theServer.logsDir(),
          consoleLines,
        });
      },
      async close() {
        await theBrowser.close().catch(() => undefined);
        await theServer.stop();
        if (ownsFleet) await fleet?.close().catch(() => undefined);
      },
    };
    if (options.open !== false) {
      try {
        await session.openWorkbench();
      } catch (error) {
        await session.captureFailure(`${options.name ?? 'session'} (workbench did not open)`);
        throw error;
      }
    }
    return session;
  } catch (error) {
    await browser?.close().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    if (ownsFleet) await fleet?.close().catch(() => undefined);
    throw error;
  }
}
