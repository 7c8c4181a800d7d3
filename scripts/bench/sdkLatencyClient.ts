// Client side of the run-command latency comparison, in its own process (as the extension host is):
// the extension's run-command path (core runCommand: a command session, or on an upstream-only relay a
// command typed between exit-code markers) vs the public SDK's terminal.execute() (START/END markers over
// SendInput + GetOutput polling every 200 ms), on the same machine, alternating.
//   node --import tsx scripts/bench/sdkLatencyClient.ts <target json> <out.json>
import { writeFileSync } from 'node:fs';
import { CMDOPClient } from '@cmdop/node';
import { runCommand } from '../../src/core/relay/commandRun';
import { RelayClient } from '../../src/core/relay/relayClient';

export const SDK_LATENCY_COMMAND = 'echo x';
export const SDK_LATENCY_RUNS = 10;
const WARMUP_RUNS = 2;

export interface SdkLatencyTarget {
  address: string;
  fleetId: string;
  secret: string;
  hostname: string;
}

export interface SdkLatencyResult {
  extension: number[];
  sdk: number[];
}

async function measure(target: SdkLatencyTarget): Promise<SdkLatencyResult> {
  const relay = new RelayClient({
    address: target.address,
    fleetId: target.fleetId,
    fleetName: target.fleetId,
    credential: { kind: 'apiKey', source: 'explicit', secret: target.secret, fleetId: target.fleetId },
  });
  const sdk = CMDOPClient.remote(target.secret, { server: target.address, insecure: true });
  try {
    await sdk.terminal.setMachine(target.hostname, false);
    const extensionRun = async (): Promise<number> => {
      const start = performance.now();
      let first = 0;
      const result = await runCommand(relay, target.hostname, SDK_LATENCY_COMMAND, { onOutput: () => (first ||= performance.now()) });
      if (result.exitCode !== 0 || !first) throw new Error(`extension run failed: exit ${result.exitCode}`);
      return first - start;
    };
    // execute() returns the whole output at once: its first byte is its return.
    const sdkRun = async (): Promise<number> => {
      const start = performance.now();
      const result = await sdk.terminal.execute(SDK_LATENCY_COMMAND);
      if (result.exitCode !== 0 || result.output !== 'x') throw new Error(`SDK execute failed: ${JSON.stringify(result)}`);
      return performance.now() - start;
    };
    for (let i = 0; i < WARMUP_RUNS; i++) {
      await extensionRun();
      await sdkRun();
    }
    const out: SdkLatencyResult = { extension: [], sdk: [] };
    for (let i = 0; i < SDK_LATENCY_RUNS; i++) {
      // The order flips every round, so drift on the machine hits both alike.
      if (i % 2) {
        out.sdk.push(await sdkRun());
        out.extension.push(await extensionRun());
      } else {
        out.extension.push(await extensionRun());
        out.sdk.push(await sdkRun());
      }
    }
    return out;
  } finally {
    relay.close();
    await sdk.close();
  }
}

if (require.main === module) {
  const [targetJson, outFile] = process.argv.slice(2);
  measure(JSON.parse(targetJson) as SdkLatencyTarget).then(
    (result) => {
      writeFileSync(outFile, JSON.stringify(result));
      process.exit(0);
    },
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
