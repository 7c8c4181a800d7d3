// A second extension installed beside ours (test/e2e/crafted-caller): on its own command it calls one of our
// commands, or invokes one of our language-model tools as a chat agent would, with what the test wrote to its
// request file, and writes how the call settled next to it; the test waits on that file.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, type Session, waitFor } from '../harness';

export type Outcome = { id: number; ok: boolean; value?: unknown; error?: string };

/** A call the other extension made: how it settles, and whether it has yet (without waiting). */
export interface Call {
  settled: Promise<Outcome>;
  isSettled(): boolean;
}

export class OtherExtension {
  private calls = 0;
  private readonly requestFile: string;

  constructor(private readonly scratch: string) {
    this.requestFile = join(scratch, 'request.json');
  }

  /** The test extension as a .vsix, packaged from its folder with the same vsce that packages ours. */
  vsix(): string {
    const out = join(this.scratch, 'crafted-caller.vsix');
    execFileSync(
      join(repoRoot, 'node_modules', '.bin', 'vsce'),
      ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', out],
      { cwd: join(repoRoot, 'test', 'e2e', 'crafted-caller'), stdio: 'pipe' },
    );
    return out;
  }

  /** The extension host environment it reads its requests from. */
  env(): Record<string, string> {
    return { CRAFTED_CALLER_REQUEST: this.requestFile };
  }

  /** Has it call `command` with `args`; resolves once the call is made, with a promise of how it settled. */
  call(session: Session, command: string, args: unknown[]): Promise<Call> {
    return this.ask(session, { command, args }, command);
  }

  /** Has it invoke a language-model tool outside a chat request (VS Code shows a confirmation as a dialog). */
  invokeTool(session: Session, tool: string, input: object): Promise<Call> {
    return this.ask(session, { tool, input }, tool);
  }

  private async ask(session: Session, request: object, what: string): Promise<Call> {
    const id = ++this.calls;
    writeFileSync(this.requestFile, JSON.stringify({ id, ...request }));
    await session.wb.runCommand('Crafted Caller: Call CMDOP', { id: 'craftedCaller.call' });
    const resultFile = `${this.requestFile}.${id}.result.json`;
    const settled = waitFor(
      `${what} called by the other extension to settle`,
      () => (existsSync(resultFile) ? (JSON.parse(readFileSync(resultFile, 'utf8')) as Outcome) : undefined),
      { timeoutMs: 60_000 },
    );
    settled.catch(() => undefined); // awaited by the test; a rejection before that is not unhandled
    return { settled, isSettled: () => existsSync(resultFile) };
  }
}
