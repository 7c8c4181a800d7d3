// What the server knows about one runbook once the extension answered its fleet questions: diagnostics,
// the run lenses' targets, and the facts hover needs. Pure: the facts arrive through `FactsAsker`.
import {
  type FleetFact,
  type FleetsAnswer,
  type GlobsAnswer,
  type MachineFact,
  type MachinesAnswer,
  isGlob,
} from '../core/runbook/protocol';
import { lastSeenLabel } from '../core/fleet/machines';
import { type Runbook, type ShellBlock, type Span, type Token, blockTargets } from './parseRunbook';

export interface FactsAsker {
  fleets(): Promise<FleetsAnswer>;
  machines(fleetId: string, hostnames: string[]): Promise<MachinesAnswer>;
  globs(fleetId: string, patterns: string[]): Promise<GlobsAnswer>;
}

export type Severity = 'error' | 'warning' | 'information';

export type Problem = 'unknown-fleet' | 'unknown-host' | 'glob-matches-nothing' | 'offline' | 'observer-only' | 'no-target' | 'no-facts';

export interface Finding extends Span {
  severity: Severity;
  code: Problem;
  message: string;
  /** For unknown hosts: the closest real hostname (the quick fix). */
  suggestion?: string;
}

export interface BlockPlan {
  block: ShellBlock;
  /** Resolved hostnames, in the order written (globs expanded); empty when nothing resolved. */
  hostnames: string[];
  /** False for guests, unknown fleets and missing facts: no run lens. */
  runnable: boolean;
}

export interface Analysis {
  fleet?: FleetFact;
  findings: Finding[];
  plans: BlockPlan[];
  machines: Record<string, MachineFact | null>;
  globs: GlobsAnswer;
}

const OBSERVER_ONLY = (fleet: FleetFact) =>
  `You are a Guest in fleet "${fleet.name}": guests are observer-only and cannot run this block. Ask a fleet admin for the Member role.`;

export async function analyzeRunbook(runbook: Runbook, facts: FactsAsker): Promise<Analysis> {
  const noRun = (finding: Finding): Analysis => ({
    findings: [finding],
    plans: runbook.blocks.map((block) => ({ block, hostnames: [], runnable: false })),
    machines: {},
    globs: {},
  });
  const fleetsAnswer = await facts.fleets();
  if (fleetsAnswer.problem) {
    const message = `CMDOP cannot check this runbook's fleet and machines: ${fleetsAnswer.problem}`;
    return noRun({ line: 0, start: 0, end: 0, severity: 'information', code: 'no-facts', message });
  }
  const wanted = runbook.fleet?.text || fleetsAnswer.activeFleetId;
  const fleet = fleetsAnswer.fleets.find((f) => f.id === wanted) ?? fleetsAnswer.fleets.find((f) => f.name === wanted);
  if (!fleet) return noRun(unknownFleet(runbook, fleetsAnswer, wanted));
  const findings: Finding[] = [];
  if (fleet.role === 'Guest' && runbook.fleet)
    findings.push({ ...runbook.fleet, severity: 'error', code: 'observer-only', message: OBSERVER_ONLY(fleet) });

  const tokens = [...runbook.targets, ...runbook.blocks.flatMap((b) => b.targets)];
  const hostnames = [...new Set(tokens.filter((t) => !isGlob(t.text)).map((t) => t.text))];
  const patterns = [...new Set(tokens.filter((t) => isGlob(t.text)).map((t) => t.text))];
  const [machines, globs] = await Promise.all([
    hostnames.length ? facts.machines(fleet.id, hostnames) : Promise.resolve<MachinesAnswer>({ machines: {}, suggestions: {} }),
    patterns.length ? facts.globs(fleet.id, patterns) : Promise.resolve<GlobsAnswer>({}),
  ]);
  for (const t of tokens) {
    const finding = isGlob(t.text) ? checkGlob(t, globs, fleet) : checkMachine(t, machines, fleet);
    if (finding) findings.push(finding);
  }
  const plans = runbook.blocks.map((block) => planBlock(runbook, block, fleet, machines, globs, findings));
  return { fleet, findings, plans, machines: machines.machines, globs };
}

function unknownFleet(runbook: Runbook, fleets: FleetsAnswer, wanted: string | undefined): Finding {
  const known = fleets.fleets.map((f) => f.id).join(', ') || 'none';
  const at: Span = runbook.fleet ?? { line: 0, start: 0, end: 0 };
  return {
    ...at,
    severity: 'error',
    code: 'unknown-fleet',
    message: wanted
      ? `Unknown fleet "${wanted}". Your fleets: ${known}.`
      : `No fleet: add "fleet: <id>" to the front matter or pick an active fleet (CMDOP: Switch Fleet). Your fleets: ${known}.`,
  };
}

function checkGlob(t: Token, globs: GlobsAnswer, fleet: FleetFact): Finding | undefined {
  const match = globs[t.text];
  if (!match) return undefined;
  if (match.machines.length === 0)
    return { ...t, severity: 'warning', code: 'glob-matches-nothing', message: `"${t.text}" matches no machine in fleet "${fleet.name}".` };
  const offline = match.machines.filter((m) => !m.online);
  if (!offline.length) return undefined;
  const names =
    offline
      .slice(0, 5)
      .map((m) => m.hostname)
      .join(', ') + (offline.length > 5 ? ', …' : '');
  return {
    ...t,
    severity: 'warning',
    code: 'offline',
    message: `${offline.length} of ${match.machines.length} machines matching "${t.text}" are offline: ${names}.`,
  };
}

function checkMachine(t: Token, machines: MachinesAnswer, fleet: FleetFact): Finding | undefined {
  const machine = machines.machines[t.text];
  if (machine === null || machine === undefined) {
    const suggestion = machines.suggestions[t.text];
    return {
      ...t,
      severity: 'error',
      code: 'unknown-host',
      message: `Unknown machine "${t.text}" in fleet "${fleet.name}".${suggestion ? ` Did you mean "${suggestion}"?` : ''}`,
      suggestion,
    };
  }
  if (machine.online) return undefined;
  return {
    ...t,
    severity: 'warning',
    code: 'offline',
    message: `${machine.hostname} is offline (last seen ${lastSeenLabel(machine.lastSeen)}): a run there fails until it is back.`,
  };
}

/** The block's resolved hostnames and whether it may run; its own findings (no target, observer-only) go to `findings`. */
function planBlock(
  runbook: Runbook,
  block: ShellBlock,
  fleet: FleetFact,
  machines: MachinesAnswer,
  globs: GlobsAnswer,
  findings: Finding[],
): BlockPlan {
  const guest = fleet.role === 'Guest';
  const fence: Span = { line: block.line, start: 0, end: 3 + block.language.length };
  const targets = blockTargets(runbook, block);
  if (guest) findings.push({ ...fence, severity: 'error', code: 'observer-only', message: OBSERVER_ONLY(fleet) });
  if (targets.length === 0) {
    findings.push({
      ...fence,
      severity: 'warning',
      code: 'no-target',
      message: `This block has no target: name machines after the language (\`\`\`${block.language} @web-1) or in the front matter (targets: web-1).`,
    });
  }
  const resolved: string[] = [];
  for (const t of targets) {
    if (isGlob(t.text)) resolved.push(...(globs[t.text]?.machines.map((m) => m.hostname) ?? []));
    else if (machines.machines[t.text]) resolved.push(machines.machines[t.text]!.hostname);
  }
  return { block, hostnames: [...new Set(resolved)], runnable: !guest };
}
