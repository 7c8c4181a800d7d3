#!/usr/bin/env bash
# Regenerates the README's screenshots (media/screenshots/*.png): builds the .vsix, then drives it in
# code-server against the local fleet server through Chromium (the e2e harness), as a person would use it.
# Works from a fresh clone like scripts/test.sh: installs npm packages and code-server when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

# Only when nothing is installed, and never through a linked node_modules: `npm ci` empties the folder first,
# also the one a link points to (another checkout's).
if [ ! -L node_modules ] && [ ! -f node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
if [ -z "${CMDOP_CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then
  echo "Chromium is missing: install it (apt-get install chromium) or set CMDOP_CHROMIUM, then rerun" >&2
  exit 1
fi
CMDOP_CODE_SERVER="$(bash scripts/install-code-server.sh)/code-server"
export CMDOP_CODE_SERVER
npm run --silent package
node --import tsx scripts/screenshots/take.ts
