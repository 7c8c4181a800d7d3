/** Runs the local fleet server until SIGINT/SIGTERM: the embedded default backend for development. */
import { parseCli, USAGE } from './cliOptions';
import { startFleetServer, type FleetServer } from './index';

function describe(server: FleetServer): string {
  const relayLines = Object.entries(server.relays).map(([fleetId, relay]) => `    ${fleetId.padEnd(14)} ${relay}`);
  const users = server.seed.users.map((u) => {
    const fleets = server.seed.fleets.flatMap((f) => f.members.filter((m) => m.email === u.email).map((m) => `${f.id} (${m.role})`));
    return `    ${u.email} / ${u.password}  → ${fleets.join(', ') || 'no fleets'}`;
  });
  return [
    'CMDOP local fleet server is up',
    `  issuer        ${server.issuer}   (device sign-in page: ${server.issuer}/device)`,
    `  API           ${server.apiUrl}`,
    `  relay         ${server.defaultRelay}`,
    '  relay per fleet:',
    ...relayLines,
    `  clientId      ${server.clientId}`,
    ...(server.tls
      ? [`  TLS CA file   ${server.tls.caFile}   (VS Code setting: "cmdop.endpoints": { "dev": { …, "caFile": "<this path>" } })`]
      : []),
    `  admin token   ${server.adminToken}   (x-admin-token for POST ${server.apiUrl}/admin/machines/<fleet>/<hostname>/stop|start)`,
    '  sign in as:',
    ...users,
    '  VS Code setting: "cmdop.mode": "dev" (uses these ports when started with the default --port-base 4400)',
    'Ctrl+C to stop.',
  ].join('\n');
}

async function main(): Promise<void> {
  let options;
  try {
    options = parseCli(process.argv.slice(2));
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (options === 'help') {
    console.log(USAGE);
    return;
  }
  const server = await startFleetServer({ ...options, log: (line) => console.log(`[fleet-server] ${line}`) });
  console.log(describe(server));

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    server.close().then(
      () => process.exit(0),
      (err: Error) => {
        console.error(`shutdown failed: ${err.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: Error) => {
  console.error(`fleet server failed to start: ${err.stack ?? err.message}`);
  process.exit(1);
});
