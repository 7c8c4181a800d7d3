// Byte sizes of what `npm run package` produced.
import { statSync } from 'node:fs';
import type { Figure } from './stats';

const FILES: { file: string; goalKiB?: number }[] = [
  { file: 'dist/extension.js', goalKiB: 400 },
  { file: 'dist/grpcRuntime.js' },
  { file: 'dist/runbookClient.js' },
  { file: 'dist/runbookServer.js' },
  { file: 'dist/cmdop.vsix' },
];

export function sizeFigures(): Figure[] {
  return FILES.map(({ file, goalKiB }) => {
    const st = statSync(file);
    const kib = st.size / 1024;
    return {
      name: `size: ${file}`,
      value: kib,
      unit: 'KiB',
      goal: goalKiB ? { kind: 'max', value: goalKiB, of: 'value', text: `≤ ${goalKiB} KB` } : undefined,
      detail: { bytes: st.size, builtAt: st.mtime.toISOString() },
    } satisfies Figure;
  });
}
