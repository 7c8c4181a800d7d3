// Bundles the extension for the extension host: dist/extension.js (loaded at activation),
// dist/grpcRuntime.js (gRPC, required on the first relay call), dist/runbookClient.js (required when the first
// runbook opens) and dist/runbookServer.js (the runbook language server, its own Node process). --production minifies and drops maps.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';

const production = process.argv.includes('--production');

mkdirSync('dist', { recursive: true });
// The relay client loads its service definition at runtime, so the .proto travels next to the bundle.
copyFileSync('src/relay/cmdop_terminal.proto', 'dist/cmdop_terminal.proto');

/**
 * Keeps `require('./grpcRuntime')` and `require('./runbookClient')` runtime requires of sibling bundles instead
 * of inlining gRPC and the language client into the bundle parsed at activation.
 */
const lazyBundles = {
  name: 'lazy-bundles',
  setup(build) {
    build.onResolve({ filter: /^\.\/(grpcRuntime|runbookClient)$/ }, (args) => ({ path: `${args.path}.js`, external: true }));
  },
};

const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['vscode'],
  minify: production,
  sourcemap: production ? false : 'linked',
  metafile: true,
  logLevel: 'warning',
};

const results = await Promise.all([
  esbuild.build({ ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', plugins: [lazyBundles] }),
  esbuild.build({ ...common, entryPoints: ['src/core/relay/grpcRuntime.ts'], outfile: 'dist/grpcRuntime.js' }),
  // Runbooks: the language client (required when the first runbook opens) and the server (its own process).
  esbuild.build({ ...common, entryPoints: ['src/vscode/runbook/runbookClient.ts'], outfile: 'dist/runbookClient.js' }),
  esbuild.build({ ...common, entryPoints: ['src/runbook-server/main.ts'], outfile: 'dist/runbookServer.js', external: [] }),
]);
for (const result of results) {
  for (const [file, out] of Object.entries(result.metafile.outputs)) {
    if (out.entryPoint) console.log(`${file} ${(out.bytes / 1024).toFixed(1)} KiB${production ? ' (minified)' : ''}`);
  }
}
