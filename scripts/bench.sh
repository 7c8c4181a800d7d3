#!/usr/bin/env bash
# Benchmarks: builds the .vsix, then measures against the local fleet server and prints a table
# (also written to test-results/bench.json). Extra arguments go to scripts/bench/run.ts (e.g. --profile).
set -euo pipefail
cd "$(dirname "$0")/.."
npm run --silent package
node --import tsx scripts/bench/run.ts "$@"
echo "bench.sh wall time including the build: ${SECONDS} s"
