// CPU time the fleet server spends, split into the relay (this process) and the machines (the agent-host processes
// and the shells they have reaped), so a fan-out's cost per machine can be told apart by where it is paid.
import { readdirSync, readFileSync } from 'node:fs';

/** Linux clock ticks per second (`getconf CLK_TCK`; 100 on every common kernel). */
const TICKS_PER_S = 100;

export interface ServerCpu {
  relayMs: number;
  machinesMs: number;
}

function childPids(pid: number | 'self'): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

/** utime + stime + cutime + cstime (the process and the children it has reaped), in ms. */
function processCpuMs(pid: number): number {
  try {
    // The fields after the parenthesised command name: state is field 3, utime field 14 … cstime field 17.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = fields.slice(11, 15).reduce((sum, f) => sum + Number(f), 0);
    return (ticks * 1000) / TICKS_PER_S;
  } catch {
    return 0;
  }
}

/**
 * A live shell's CPU in ms, to the nanosecond (schedstat): a shell uses a few ms, less than the 10 ms tick that
 * /proc/<pid>/stat counts in, so a thousand of them would read as nothing there. Its reaped children are added.
 */
function shellCpuMs(pid: number): number {
  try {
    const onCpuNs = Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const reapedTicks = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .slice(13, 15)
      .reduce((sum, f) => sum + Number(f), 0);
    return onCpuNs / 1e6 + (reapedTicks * 1000) / TICKS_PER_S;
  } catch {
    return 0;
  }
}

/**
 * An agent-host process with its shells, reaped or still running (a machine's shared shell lives on after the
 * command typed into it); 0 for any other child (clients, the idle control).
 */
function agentHostCpuMs(pid: number): number {
  try {
    if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('agentMain')) return 0;
  } catch {
    return 0;
  }
  return processCpuMs(pid) + childPids(pid).reduce((sum, shell) => sum + shellCpuMs(shell), 0);
}

/** The server's CPU so far; subtract two readings for what a run cost. NaN for the machines off Linux. */
export function serverCpu(): ServerCpu {
  const own = process.cpuUsage();
  const pids = childPids('self');
  return {
    relayMs: (own.user + own.system) / 1000,
    machinesMs: pids.length ? pids.reduce((sum, pid) => sum + agentHostCpuMs(pid), 0) : NaN,
  };
}

export function cpuSince(start: ServerCpu): ServerCpu {
  const now = serverCpu();
  return { relayMs: now.relayMs - start.relayMs, machinesMs: now.machinesMs - start.machinesMs };
}
