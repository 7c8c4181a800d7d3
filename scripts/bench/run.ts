// One run of every benchmark against the local fleet server; prints a table and writes test-results/bench.json.
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { startFleetServer } from '../../fleet-server/src/index';
import { execFigures } from './execFigures';
import { type Figure, printTable } from './stats';
import { workbenchFigures } from './workbenchFigures';

async function main(): Promise<void> {
  const started = Date.now();
  const sizes: Figure[] = [
    ['dist/extension.js', 400],
    ['dist/grpcRuntime.js', undefined],
    ['dist/cmdop.vsix', undefined],
  ].map(([file, goalKb]) => {
    const kb = statSync(file as string).size / 1024;
    return { name: `size of ${file}`, value: kb, unit: 'KiB', goal: goalKb ? `≤ ${goalKb} KB` : '(reported)', met: goalKb ? kb <= (goalKb as number) : true };
  });

  const server = await startFleetServer({ scaleMachines: 10_000 });
  try {
    const fleet = server.seed.fleets.find((f) => f.id === 'acme-prod')!;
    const secret = fleet.api_keys.find((k) => k.name === 'ci-deploy')!.secret;
    const exec = await execFigures({ address: server.relays['acme-prod'], fleetId: 'acme-prod', secret, hostname: 'web-1' });
    const discovery = await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).json();
    const device = await (
      await fetch(discovery.device_authorization_endpoint, { method: 'POST', body: new URLSearchParams({ client_id: server.clientId, scope: 'openid' }) })
    ).json();
    const workbench = await workbenchFigures(server, device.interval ?? 5);
    const figures = [...workbench.slice(0, 1), ...sizes, ...workbench.slice(1, 3), ...exec, ...workbench.slice(3)];
    console.log('');
    printTable(figures);
    console.log(`\nbenchmark wall time ${((Date.now() - started) / 1000).toFixed(0)} s`);
    mkdirSync('test-results', { recursive: true });
    writeFileSync('test-results/bench.json', JSON.stringify({ at: new Date().toISOString(), figures }, null, 2));
  } finally {
    await server.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
