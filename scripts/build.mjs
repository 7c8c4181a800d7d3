// Bundles the extension for the extension host: dist/extension.js (loaded at activation) and
// dist/grpcRuntime.js (gRPC, required on the first relay call). --production minifies and drops maps.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';

const production = process.argv.includes('--production');

mkdirSync('dist', { recursive: true });
// The relay client loads its service definition at runtime, so the .proto travels next to the bundle.
copyFileSync('src/relay/cmdop_terminal.proto', 'dist/cmdop_terminal.proto');

/** Keeps `require('./grpcRuntime')` a runtime require of the sibling bundle instead of inlining gRPC. */
const lazyGrpc = {
  name: 'lazy-grpc',
  setup(build) {
    build.onResolve({ filter: /^\.\/grpcRuntime$/ }, () => ({ path: './grpcRuntime.js', external: true }));
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
  esbuild.build({ ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', plugins: [lazyGrpc] }),
  esbuild.build({ ...common, entryPoints: ['src/core/relay/grpcRuntime.ts'], outfile: 'dist/grpcRuntime.js' }),
]);
for (const result of results) {
  for (const [file, out] of Object.entries(result.metafile.outputs)) {
    if (out.entryPoint) console.log(`${file} ${(out.bytes / 1024).toFixed(1)} KiB${production ? ' (minified)' : ''}`);
  }
}
