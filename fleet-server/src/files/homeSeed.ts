import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A 1×1 PNG: a small binary file, so clients meet bytes that are not text. */
const TINY_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

export const BULK_FOLDER_ENTRIES = 10_000;
/** Files written at once while filling a bulk folder: enough to be quick, few enough to leave descriptors free. */
const BULK_WRITE_CONCURRENCY = 64;

export interface HomeSeedSpec {
  fleetId: string;
  hostname: string;
  /** A folder of the home to fill with BULK_FOLDER_ENTRIES files (only where the seed asks for it). */
  bulkFolder?: string;
}

/** What a web or database machine would have in its config; the hostname makes every machine's copy its own. */
function appConf(spec: HomeSeedSpec): string {
  const database = /^db/i.test(spec.hostname);
  const lines = [
    `# Application settings of ${spec.hostname} (fleet ${spec.fleetId})`,
    '[server]',
    `role = ${database ? 'database' : 'web'}`,
    `listen = 0.0.0.0:${database ? 5432 : 8080}`,
    `workers = ${database ? 2 : 4}`,
    '',
    '[logging]',
    'level = info',
    'file = ~/log/app.log',
    '',
  ];
  return lines.join('\n');
}

export function logLine(hostname: string, at: Date, message: string): string {
  return `${at.toISOString()} ${hostname} app[1042]: ${message}\n`;
}

function initialLog(hostname: string): string {
  const start = Date.now() - 20 * 60_000;
  return Array.from({ length: 20 }, (_, i) => logLine(hostname, new Date(start + i * 60_000), `health check ok (${i + 1})`)).join('');
}

/** Writes a fresh home's files: a config, a log, a binary, a symlink inside the home and, if asked, a bulk folder. */
export async function seedHome(home: string, spec: HomeSeedSpec): Promise<void> {
  await Promise.all(['etc', 'log', 'data', '.config/app'].map((dir) => mkdir(join(home, dir), { recursive: true })));
  await Promise.all([
    writeFile(join(home, 'etc/app.conf'), appConf(spec)),
    // The same on every machine: comparing it across machines finds one group.
    writeFile(join(home, 'etc/timezone'), 'Etc/UTC\n'),
    writeFile(join(home, 'log/app.log'), initialLog(spec.hostname)),
    writeFile(join(home, 'data/pixel.png'), TINY_PNG),
    writeFile(join(home, '.config/app/settings.json'), '{ "theme": "dark" }\n'),
    writeFile(join(home, 'README.txt'), `Home folder of ${spec.hostname}. Configuration in etc/, logs in log/.\n`),
    symlink('log/app.log', join(home, 'current.log')),
  ]);
  if (spec.bulkFolder) await fillBulkFolder(join(home, spec.bulkFolder));
}

async function fillBulkFolder(folder: string): Promise<void> {
  await mkdir(folder, { recursive: true });
  const width = String(BULK_FOLDER_ENTRIES).length;
  let next = 1;
  const writer = async (): Promise<void> => {
    for (let n = next++; n <= BULK_FOLDER_ENTRIES; n = next++) {
      await writeFile(join(folder, `entry-${String(n).padStart(width, '0')}.json`), `{"id":${n}}\n`);
    }
  };
  await Promise.all(Array.from({ length: BULK_WRITE_CONCURRENCY }, writer));
}
