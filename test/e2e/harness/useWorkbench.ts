// node:test glue: one session per describe() block, and tests that leave a screenshot and logs when they fail.
import { after, before, it, type TestContext } from 'node:test';
import { startSession, type Session, type SessionOptions } from './session';
import type { Workbench } from './workbench';

export type UiTestBody = (wb: Workbench, session: Session, t: TestContext) => Promise<void>;

export interface UiTestOptions {
  /** Default 120 s. */
  timeout?: number;
  skip?: boolean | string;
  todo?: boolean | string;
}

/**
 * Runs `body` and, if it throws, writes `test-results/<name>.png` (+ code-server and extension host logs)
 * before rethrowing. Use it inside any test that has a session.
 */
export async function withFailureCapture(session: Session | undefined, name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    if (session) {
      const files = await session.captureFailure(name);
      if (files.length) process.stderr.write(`failure evidence for "${name}":\n  ${files.join('\n  ')}\n`);
    }
    throw error;
  }
}

export interface WorkbenchFixture {
  /** The running session (only inside tests and hooks). */
  readonly session: Session;
  readonly wb: Workbench;
  /** A test with failure capture; the session is shared by all tests of the describe() block, in order. */
  test(name: string, body: UiTestBody, options?: UiTestOptions): void;
}

/**
 * Call inside describe(): starts a session before the block's first test and stops it after the last.
 * Options may be a function, evaluated in the `before` hook (e.g. to use a fleet server started earlier).
 */
export function useWorkbench(options: SessionOptions | (() => SessionOptions | Promise<SessionOptions>) = {}): WorkbenchFixture {
  let session: Session | undefined;
  before(
    async () => {
      const resolved = typeof options === 'function' ? await options() : options;
      session = await startSession(resolved);
    },
    { timeout: 240_000 },
  );
  after(
    async () => {
      await session?.close();
      session = undefined;
    },
    { timeout: 60_000 },
  );

  const fixture: WorkbenchFixture = {
    get session() {
      if (!session) throw new Error('the session is not running (did the before hook fail?)');
      return session;
    },
    get wb() {
      return fixture.session.wb;
    },
    test(name, body, testOptions = {}) {
      it(name, { timeout: testOptions.timeout ?? 120_000, skip: testOptions.skip, todo: testOptions.todo }, async (t) => {
        const current = fixture.session;
        await withFailureCapture(current, name, () => body(current.wb, current, t));
      });
    },
  };
  return fixture;
}
