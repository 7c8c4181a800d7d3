#!/usr/bin/env bash
# THE test command: from a fresh clone on a fresh machine, installs what is missing, type-checks,
# packages the .vsix and runs every test (unit, protocol, integration, e2e in code-server + Chromium)
# in one node test runner invocation, so one summary comes out at the end.
# Failed e2e tests leave a screenshot and logs in test-results/.
set -euo pipefail

cd "$(dirname "$0")/.."
started=$(date +%s)
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

step() { printf '\n==> %s\n' "$*"; }

finish() {
  local rc=$?
  local elapsed=$(( $(date +%s) - started ))
  printf '\nscripts/test.sh: exit %d, wall time %dm%02ds\n' "$rc" $((elapsed / 60)) $((elapsed % 60))
}
trap finish EXIT

# --- system packages (Debian): Chromium for the e2e tests. install-code-server.sh adds libkrb5-dev itself.
apt_install() {
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo=(sudo -n)
    else
      echo "missing apt packages: $* (not root and no passwordless sudo: install them, then rerun)" >&2
      exit 1
    fi
  fi
  step "apt-get install $*"
  "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "$@"
}

if [ -z "${CMDOP_CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then
  apt_install chromium
fi

# --- npm dependencies: `npm ci` when node_modules is missing or older than the lock file.
# A linked node_modules (a second checkout sharing the first one's) is left alone: `npm ci` would empty the
# folder it links to, under every checkout that shares it.
if [ -L node_modules ]; then
  echo "node_modules links to $(readlink node_modules): not running npm ci here; run it in that checkout if packages are missing" >&2
elif [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "npm ci"
  npm ci --no-audit --no-fund
fi

# --- code-server (cached per machine; about 2 minutes the first time).
step "code-server"
code_server_dir=$(bash scripts/install-code-server.sh)
export CMDOP_CODE_SERVER="$code_server_dir/code-server"
echo "$CMDOP_CODE_SERVER"

step "npm run typecheck"
npm run --silent typecheck

step "lint and format"
npm run --silent lint
npm run --silent format:check

step "npm run package"
npm run --silent package

# --- all tests, one runner, one summary.
shopt -s nullglob
files=(test/unit/*.test.ts test/protocol/*.test.ts test/integration/*.test.ts test/e2e/*.e2e.ts)
shopt -u nullglob
if [ ${#files[@]} -eq 0 ]; then
  echo "no test files found" >&2
  exit 1
fi

rm -rf test-results
step "node --test (${#files[@]} files)"
set +e
node --import tsx --test --test-force-exit --test-concurrency=1 --test-timeout=900000 --test-reporter=spec "${files[@]}"
rc=$?
set -e
if [ $rc -ne 0 ] && [ -d test-results ]; then
  echo "failure screenshots and logs: $(pwd)/test-results/"
fi
exit $rc
