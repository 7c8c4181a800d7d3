import * as vscode from 'vscode';
import { NotSignedInError } from '../core/errors';
import type { ActiveContext, FleetContext } from '../core/fleet/fleetContext';
import type { FleetStatusBar } from './statusBar';

/** Keeps the status bar and the `cmdop.signedIn` context key in step with what the resolver picks. */
export class StatusController {
  private generation = 0;
  private last: ActiveContext | undefined;

  constructor(
    private readonly context: FleetContext,
    private readonly bar: FleetStatusBar,
    private readonly log: vscode.LogOutputChannel,
    /** Told the problem with the credential the resolver found (undefined once there is none), for the Machines view. */
    private readonly showProblem: (message: string | undefined) => void = () => undefined,
  ) {}

  get active(): ActiveContext | undefined {
    return this.last;
  }

  async update(): Promise<void> {
    // A slower, older update must not overwrite a newer one.
    const mine = ++this.generation;
    try {
      const active = await this.context.current();
      if (mine !== this.generation) return;
      this.last = active;
      this.bar.show(active);
      this.showProblem(undefined);
      await vscode.commands.executeCommand('setContext', 'cmdop.credentialProblem', false);
      this.log.info(`Using fleet "${active.fleet.name}" via ${active.credential.source} (${active.skipped.join('; ') || 'first choice'})`);
      await vscode.commands.executeCommand('setContext', 'cmdop.signedIn', true);
      // For the walkthrough's "Sign in" and "Add a fleet key" steps.
      await vscode.commands.executeCommand('setContext', 'cmdop.signedInWithOAuth', active.credential.source === 'oauth');
      await vscode.commands.executeCommand('setContext', 'cmdop.usingFleetKey', active.credential.kind === 'apiKey');
    } catch (err) {
      if (mine !== this.generation) return;
      this.last = undefined;
      // Signed out is not a problem; anything else (a CMDOP_API_KEY that is no key, a key added for other
      // endpoints) is named in the Machines view, where "Sign in" alone could not help.
      const problem = err instanceof NotSignedInError ? undefined : (err as Error).message;
      if (problem === undefined) this.bar.showSignedOut();
      else {
        this.bar.showProblem(problem);
        this.log.warn(problem);
      }
      this.showProblem(problem);
      await vscode.commands.executeCommand('setContext', 'cmdop.credentialProblem', problem !== undefined);
      await vscode.commands.executeCommand('setContext', 'cmdop.signedIn', false);
      await vscode.commands.executeCommand('setContext', 'cmdop.signedInWithOAuth', false);
      await vscode.commands.executeCommand('setContext', 'cmdop.usingFleetKey', false);
    }
  }
}
