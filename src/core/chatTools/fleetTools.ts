import { CmdopError, NotSignedInError } from '../errors';
import type { FanOutCounts, MachineResult } from '../fanOut/fanOut';
import type { FleetInfo, Machine } from '../fleet/fleetApi';
import type { ActiveContext, FleetChoice } from '../fleet/fleetContext';
import { canUseSessions } from '../fleet/machines';
import { hostMatcher, isGlob } from '../fanOut/hostGlob';
import { compareHostnames } from '../fanOut/grouping';
import { wholeName } from '../display/safeText';
import { resolveMachines } from './machineNames';
import { type ConfirmationText, machineListText, runConfirmation, runResultText } from './resultText';
import { checkListMachinesInput, checkRunCommandInput, type RunCommandInput } from './toolInput';
import { DEFAULT_TOKEN_BUDGET, fitToBudget, type TokenCounter } from './tokenBudget';

export interface ChatRunRequest {
  fleet: FleetInfo;
  /** Exact hostnames, resolved from the names and globs the model gave. */
  hostnames: string[];
  /** The fleet's machines as just listed (online state for skipping). */
  machines: Machine[];
  command: string;
  timeoutMs: number;
  /** True when every machine was named exactly in the confirmation (no glob could have grown the set). */
  namedExactly: boolean;
  /**
   * False when VS Code showed no confirmation for this call (the role known locally was Guest, so nothing was
   * expected to run) but the server now says the user may run: the run must ask the person itself.
   */
  confirmedInChat: boolean;
  signal: AbortSignal;
}

export interface ChatRun {
  id: number;
  results: readonly MachineResult[];
  counts: FanOutCounts;
}

export interface FleetToolsDeps {
  /** Every fleet the user's credentials reach (asks the server). */
  choices(): Promise<FleetChoice[]>;
  /** The credential and fleet the resolver picks, for a fleet or the active one; throws NotSignedInError. */
  current(fleetId?: string): Promise<ActiveContext>;
  /** The last context the status bar showed, for answers that must not wait on the network. */
  lastKnown(): ActiveContext | undefined;
  machines(context: ActiveContext): Promise<Machine[]>;
  /** Runs through the fan-out engine until every machine is done; undefined when the person declined. */
  run(request: ChatRunRequest): Promise<ChatRun | undefined>;
  /** Default per-machine timeout (the fan-out setting). */
  timeoutSeconds(): number;
}

export interface Budget {
  tokens?: number;
  count?: TokenCounter;
}

/** A tool's answer: plain sentences the model can act on (relay, fix the input, ask the user). */
export type ToolAnswer = string;

/**
 * The logic of the chat tools, free of VS Code. Mistakes the model or the user can fix come back as
 * answers; only bugs throw.
 */
export class FleetTools {
  /** The fleets (with the user's role) the last server answer listed: lets prepareRun answer without the network. */
  private readonly seenFleets = new Map<string, FleetInfo>();
  /** Inputs prepareRun let through without a confirmation, counted, until their invoke comes. */
  private readonly unconfirmed = new Map<string, number>();

  constructor(private readonly deps: FleetToolsDeps) {}

  async listMachines(raw: unknown, budget: Budget = {}): Promise<ToolAnswer> {
    const checked = checkListMachinesInput(raw);
    if (!checked.ok) return checked.problem;
    const input = checked.value;
    return this.answering(async () => {
      const { fleet, context } = await this.fleetFor(input.fleet);
      const matches = hostMatcher(input.hostname ?? '');
      const machines = (await this.deps.machines(context))
        .filter((m) => matches(m.hostname) && (!input.onlineOnly || m.is_online))
        .sort((a, b) => compareHostnames(a.hostname, b.hostname));
      const { head, lines } = machineListText({ ...fleet, identity: context.identity }, machines, input);
      if (machines.length === 0 && input.hostname) {
        return `${head}\nNo machine matches "${input.hostname}". Call cmdop_listMachines without a hostname to see them all.`;
      }
      const render = (allowance: number) => {
        const shown = Number.isFinite(allowance) ? lines.slice(0, Math.max(0, Math.floor(allowance))) : lines;
        const rest = lines.length - shown.length;
        return [head, ...shown, rest ? `… and ${rest} more machines not listed; narrow the list with "hostname" or "onlineOnly".` : '']
          .filter(Boolean)
          .join('\n');
      };
      // The allowance here is a number of lines; fitToBudget treats it as one output.
      return fitLines(render, lines.length, budget);
    });
  }

  /** The confirmation, from the input and what is known locally; undefined when no confirmation is needed (nothing will run). */
  prepareRun(raw: unknown): { confirmation?: ConfirmationText; invocationMessage: string } {
    const checked = checkRunCommandInput(raw);
    if (!checked.ok) return { invocationMessage: 'Checking the CMDOP command request' };
    const input = checked.value;
    const knownFleet = this.knownFleet(input.fleet);
    // A Guest is refused by invoke before anything is sent: asking to confirm first would only confuse. invoke
    // is told, so a role that changed since then makes the run ask the person itself.
    if (knownFleet && !canUseSessions(knownFleet.role)) {
      const key = inputKey(input);
      // Bounded: a prepared call whose invoke never came (the request was cancelled) is forgotten eventually.
      if (this.unconfirmed.size >= 64) this.unconfirmed.delete(this.unconfirmed.keys().next().value!);
      this.unconfirmed.set(key, (this.unconfirmed.get(key) ?? 0) + 1);
      return { invocationMessage: `Checking your role in ${wholeName(knownFleet.name)}` };
    }
    const fleetName = knownFleet?.name ?? input.fleet ?? 'the active fleet';
    const timeout = input.timeoutSeconds ?? this.deps.timeoutSeconds();
    return {
      confirmation: runConfirmation(input, fleetName, timeout),
      invocationMessage: `Running \`${input.command.slice(0, 80)}\` on ${input.machines.join(', ').slice(0, 80)}`,
    };
  }

  /** The fleet the input names (or the active one) as known without asking the server. */
  private knownFleet(wanted: string | undefined): FleetInfo | undefined {
    const active = this.deps.lastKnown()?.fleet;
    if (!wanted) return active;
    if (active && sameFleet(active, wanted)) return active;
    return [...this.seenFleets.values()].find((f) => sameFleet(f, wanted));
  }

  /** Whether prepareRun skipped VS Code's confirmation for this input (consumes that record). */
  private takeUnconfirmed(input: RunCommandInput): boolean {
    const key = inputKey(input);
    const count = this.unconfirmed.get(key) ?? 0;
    if (count === 0) return false;
    if (count === 1) this.unconfirmed.delete(key);
    else this.unconfirmed.set(key, count - 1);
    return true;
  }

  async runCommand(raw: unknown, signal: AbortSignal, budget: Budget = {}): Promise<ToolAnswer> {
    const checked = checkRunCommandInput(raw);
    if (!checked.ok) return `Nothing was run: ${checked.problem}`;
    const input = checked.value;
    const confirmedInChat = !this.takeUnconfirmed(input);
    return this.answering(async () => {
      const { fleet, context } = await this.fleetFor(input.fleet);
      if (!canUseSessions(fleet.role)) {
        return `Nothing was run: the user is a Guest in fleet "${wholeName(fleet.name)}", and guests are observer-only (they can list machines but not run commands). Tell the user to ask a fleet admin for the Member role, or to use another fleet.`;
      }
      const machines = await this.deps.machines(context);
      const resolution = resolveMachines(machines, input.machines);
      if (resolution.unmatched.length) return `Nothing was run: ${unmatchedSentence(resolution.unmatched, fleet)}`;
      if (signal.aborted) return 'Nothing was run: the request was cancelled.';
      const run = await this.deps.run({
        fleet,
        hostnames: resolution.matched.map((m) => m.hostname),
        machines,
        command: input.command,
        timeoutMs: (input.timeoutSeconds ?? this.deps.timeoutSeconds()) * 1000,
        namedExactly: !input.machines.some(isGlob),
        confirmedInChat,
        signal,
      });
      if (!run)
        return `Nothing was run: the user declined to run the command on ${resolution.matched.length} machines in ${wholeName(fleet.name)}.`;
      const summary = { command: input.command, fleetName: fleet.name, runId: run.id, results: run.results, counts: run.counts };
      const outputs = new Set(run.results.filter((r) => r.output.trim()).map((r) => r.output)).size;
      return fitToBudget((allowance) => runResultText(summary, allowance), outputs, budget.tokens ?? DEFAULT_TOKEN_BUDGET, budget.count);
    });
  }

  /** The fleet the input names (or the active one) with the credential for it; the user's own role in it. */
  async fleetFor(wanted: string | undefined): Promise<{ fleet: FleetInfo; context: ActiveContext }> {
    if (!wanted) {
      const context = await this.deps.current();
      const choice = (await this.choices()).find((c) => c.fleet.id === context.fleet.id);
      return { fleet: choice?.fleet ?? context.fleet, context };
    }
    const choices = await this.choices();
    const choice = choices.find((c) => sameFleet(c.fleet, wanted));
    if (!choice) throw new UnusableFleetError(wanted, choices);
    const context = await this.deps.current(choice.fleet.id);
    if (context.fleet.id !== choice.fleet.id) throw new UnusableFleetError(wanted, choices);
    return { fleet: choice.fleet, context };
  }

  /** The server's list of the user's fleets, remembered for prepareRun. */
  private async choices(): Promise<FleetChoice[]> {
    const choices = await this.deps.choices();
    this.seenFleets.clear();
    for (const c of choices) this.seenFleets.set(c.fleet.id, c.fleet);
    return choices;
  }

  /** Mistakes the model or user can act on become answers; bugs (anything that is not a CmdopError) still throw. */
  async answering(work: () => Promise<ToolAnswer>): Promise<ToolAnswer> {
    try {
      return await work();
    } catch (err) {
      if (err instanceof NotSignedInError)
        return 'The user is not signed in to CMDOP. Ask them to run "CMDOP: Sign In" (or "CMDOP: Add Fleet API Key") and try again.';
      if (err instanceof CmdopError) return `CMDOP could not do it: ${wholeName(err.message)}`;
      throw err;
    }
  }
}

/** A fleet the model named that the user's credentials do not reach. */
class UnusableFleetError extends CmdopError {
  constructor(wanted: string, choices: FleetChoice[]) {
    const names = choices.map((c) => `"${wholeName(c.fleet.name)}" (id ${wholeName(c.fleet.id)}, ${c.fleet.role})`).join(', ');
    super(
      `the user cannot use a fleet "${wholeName(wanted)}": ${names ? `the fleets they can use are ${names}` : 'no fleet is reachable with their sign-in or keys'}. Pick one of those, or leave "fleet" out for the active fleet.`,
    );
  }
}

/** Identifies one tool input between prepareInvocation and invoke (VS Code passes each a copy). */
function inputKey(input: RunCommandInput): string {
  return JSON.stringify([input.fleet ?? null, input.machines, input.command, input.timeoutSeconds ?? null]);
}

function sameFleet(fleet: FleetInfo, wanted: string): boolean {
  const w = wanted.toLowerCase();
  return fleet.id.toLowerCase() === w || fleet.name.toLowerCase() === w;
}

function unmatchedSentence(unmatched: { pattern: string; closest: string[] }[], fleet: FleetInfo): string {
  const parts = unmatched.map(
    (u) =>
      `${isGlob(u.pattern) ? `no machine matches "${u.pattern}"` : `there is no machine "${u.pattern}"`}${u.closest.length ? ` (closest: ${u.closest.map(wholeName).join(', ')})` : ''}`,
  );
  return `in fleet "${wholeName(fleet.name)}" ${parts.join('; ')}. Check the names with cmdop_listMachines, then ask again.`;
}

/** fitToBudget for a list: the allowance is a number of lines, estimated from the average line length. */
function fitLines(render: (lines: number) => string, total: number, budget: Budget): Promise<string> {
  const tokens = budget.tokens ?? DEFAULT_TOKEN_BUDGET;
  const whole = render(Number.POSITIVE_INFINITY);
  const averageLine = Math.max(1, whole.length / Math.max(1, total));
  // fitToBudget hands out characters per output; one output of `total` lines converts back to lines.
  return fitToBudget((chars) => render(Number.isFinite(chars) ? chars / averageLine : chars), 1, tokens, budget.count);
}

export type { RunCommandInput };
