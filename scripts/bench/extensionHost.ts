// The extension host process of one code-server (others may run on this machine), read from /proc.
import { readdirSync, readFileSync } from 'node:fs';

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

const cmdline = (pid: number) => (read(`/proc/${pid}/cmdline`) ?? '').replace(/\0/g, ' ');

/** [ppid, start time in clock ticks] from /proc/<pid>/stat (fields after the parenthesised name). */
function stat(pid: number): [number, number] | undefined {
  const text = read(`/proc/${pid}/stat`);
  if (!text) return undefined;
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return [Number(fields[1]), Number(fields[19])];
}

function hasAncestor(pid: number, test: (cmd: string) => boolean): boolean {
  for (let p = stat(pid)?.[0]; p && p > 1; p = stat(p)?.[0]) if (test(cmdline(p))) return true;
  return false;
}

/** The newest extension host started under the code-server that uses `userDataDir`. */
export function extensionHostPid(userDataDir: string): number {
  const hosts = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => cmdline(pid).includes('--type=extensionHost') && hasAncestor(pid, (cmd) => cmd.includes(userDataDir)))
    .map((pid) => ({ pid, started: stat(pid)?.[1] ?? 0 }))
    .sort((a, b) => a.started - b.started);
  if (!hosts.length) throw new Error(`no extension host found under the code-server using ${userDataDir}`);
  return hosts[hosts.length - 1].pid;
}

export function rssMb(pid: number): number {
  const status = read(`/proc/${pid}/status`);
  const kb = status && /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
  if (!kb) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(kb) / 1024;
}
