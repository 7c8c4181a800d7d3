// Activation: the extension's own "Activated in N ms" (time inside activate()), once per window reload.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { extensionId, waitFor, type Session } from '../../test/e2e/harness';
import { type Figure, summarize } from './stats';

const ACTIVATED = /Activated in ([\d.]+) ms/g;

/** Every CMDOP.log this code-server wrote: one per extension host (logs/<session>/exthost<N>/<ext id>/). */
export function cmdopLogs(session: Session): string[] {
  const root = join(session.server.userDataDir, 'logs');
  if (!existsSync(root)) return [];
  return readdirSync(root).flatMap((s) =>
    readdirSync(join(root, s))
      .filter((d) => d.startsWith('exthost'))
      .map((d) => join(root, s, d, extensionId, 'CMDOP.log'))
      .filter((f) => existsSync(f)),
  );
}

const lastActivation = (file: string) => {
  const all = [...readFileSync(file, 'utf8').matchAll(ACTIVATED)];
  return all.length ? Number(all[all.length - 1][1]) : undefined;
};

export async function activationFigure(session: Session, reloads: number, settled: RegExp): Promise<Figure> {
  const values: number[] = [];
  for (let i = 0; i < reloads; i++) {
    const before = new Set(cmdopLogs(session));
    await session.wb.reload();
    // The newest extension host's log (a file that did not exist before this reload).
    const value = await waitFor(
      'the new extension host to log "Activated in"',
      () =>
        cmdopLogs(session)
          .filter((f) => !before.has(f))
          .map(lastActivation)
          .find((v) => v !== undefined),
      { timeoutMs: 60_000, intervalMs: 50 },
    );
    values.push(value);
    // Let the extension finish starting (session restored, status shown) before the next reload.
    await session.wb.statusBar.waitForText('cmdop.status', settled, 60_000);
  }
  const s = summarize(values);
  return {
    name: `activation: time in activate() (${reloads} reloads)`,
    value: s.median,
    unit: 'ms',
    goal: { kind: 'max', value: 15, of: 'value', text: '≤ 15 ms' },
    note: `median; min ${s.min.toFixed(2)}, max ${s.max.toFixed(2)} ms; per reload ${values.map((v) => v.toFixed(2)).join(', ')} ms`,
    detail: { samples: values, min: s.min, max: s.max },
  };
}
