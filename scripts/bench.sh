#!/usr/bin/env bash
# Benchmarks (issue 6): builds the .vsix, then measures against the local fleet server and prints a table.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run --silent package
node --import tsx scripts/bench/run.ts
