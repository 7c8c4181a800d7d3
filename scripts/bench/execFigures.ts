import { monitorEventLoopDelay } from 'node:perf_hooks';
import { bareGrpcPath, extensionPath, type ExecPath, type Target } from './relayPaths';
import { type Figure, median } from './stats';

const THROUGHPUT_COMMAND = 'head -c 50M /dev/zero | base64';

export async function execFigures(target: Target): Promise<Figure[]> {
  const ext = extensionPath(target);
  const bare = bareGrpcPath(target);
  try {
    // Warm both channels and the agent before measuring.
    for (let i = 0; i < 3; i++) {
      await ext.run('echo x');
      await bare.run('echo x');
    }
    const extFirst: number[] = [];
    const bareFirst: number[] = [];
    for (let i = 0; i < 25; i++) {
      // Interleaved so drift on the machine hits both alike.
      extFirst.push((await ext.run('echo x')).firstByteMs);
      bareFirst.push((await bare.run('echo x')).firstByteMs);
    }
    const extLatency = median(extFirst);
    const bareLatency = median(bareFirst);

    const rate = async (path: ExecPath) => {
      const r = await path.run(THROUGHPUT_COMMAND);
      return (r.bytes / (r.totalMs / 1000)) / 1e6;
    };
    let extRate = 0;
    let bareRate = 0;
    let worstStall = 0;
    for (let i = 0; i < 2; i++) {
      const monitor = monitorEventLoopDelay({ resolution: 5 });
      monitor.enable();
      extRate = Math.max(extRate, await rate(ext));
      monitor.disable();
      worstStall = Math.max(worstStall, monitor.max / 1e6);
      bareRate = Math.max(bareRate, await rate(bare));
    }
    return [
      {
        name: 'exec latency (echo x, first byte)',
        value: extLatency,
        unit: 'ms',
        baseline: { label: 'bare grpc-js', value: bareLatency },
        ratio: extLatency / bareLatency,
        goal: '≤ 1.2× bare',
        met: extLatency / bareLatency <= 1.2,
        note: `medians of 25 interleaved runs; extension min ${Math.min(...extFirst).toFixed(1)} ms, bare min ${Math.min(...bareFirst).toFixed(1)} ms`,
      },
      {
        name: 'terminal throughput (50M|base64)',
        value: extRate,
        unit: 'MB/s',
        baseline: { label: 'bare grpc-js', value: bareRate },
        ratio: extRate / bareRate,
        goal: '≥ 0.8× bare',
        met: extRate / bareRate >= 0.8,
      },
      {
        name: 'worst event-loop stall while streaming',
        value: worstStall,
        unit: 'ms',
        goal: '≤ 50 ms',
        met: worstStall <= 50,
      },
    ];
  } finally {
    ext.close();
    bare.close();
  }
}
