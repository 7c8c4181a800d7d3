// Reads V8 .cpuprofile files and says, in one line, where one profile spends more time than another.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time (ms) per function, keyed `name file:line`; '(idle)' is left out, '(garbage collector)' kept. */
export function selfTimes(file: string): Map<string, number> {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const keyOf = new Map<number, string>();
  for (const n of profile.nodes) {
    const { functionName, url, lineNumber } = n.callFrame;
    keyOf.set(n.id, url ? `${functionName || '(anonymous)'} ${basename(url)}:${lineNumber + 1}` : functionName || '(anonymous)');
  }
  const times = new Map<string, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    // timeDeltas[i] is the time before sample i; attribute the interval after it to sample i.
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const key = keyOf.get(profile.samples[i]) ?? '?';
    if (key === '(idle)') continue;
    times.set(key, (times.get(key) ?? 0) + dt);
  }
  return times;
}

const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

/** "extension busy X ms vs bare Y ms; most extra self time: f +a ms, g +b ms, h +c ms". */
export function compareProfiles(extFile: string, bareFile: string, top = 3): string {
  const ext = selfTimes(extFile);
  const bare = selfTimes(bareFile);
  const extra = [...ext.entries()]
    .map(([k, v]) => [k, v - (bare.get(k) ?? 0)] as const)
    .filter(([, d]) => d > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k, d]) => `${k} +${d.toFixed(1)} ms`);
  return `extension busy ${total(ext).toFixed(0)} ms vs bare ${total(bare).toFixed(0)} ms of CPU for the same work; most extra self time: ${extra.join(', ') || 'none'}`;
}

/** The functions with the most self time in one profile. */
export function topSelf(file: string, top = 3): string {
  return [...selfTimes(file).entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k, v]) => `${k} ${v.toFixed(1)} ms`)
    .join(', ');
}
