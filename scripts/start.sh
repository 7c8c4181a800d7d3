#!/usr/bin/env bash
# THE main command: builds the extension, starts the local fleet server and code-server (VS Code in the
# browser) with the extension installed and pointed at that server, and stays up until Ctrl-C.
#   PORT=8080             code-server's port on 127.0.0.1
#   FLEET_PORT_BASE=4400  fleet server: issuer N, API N+1, relay N+2, staging relay N+3
# State (settings, sign-in, installed extension) persists in .cache/dev/ (delete it to start over).
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
PORT="${PORT:-8080}"
FLEET_PORT_BASE="${FLEET_PORT_BASE:-4400}"
state="$root/.cache/dev"
user_data="$state/user-data"
extensions="$state/extensions"
workspace="${WORKSPACE:-$state/workspace}"
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

step() { printf '==> %s\n' "$*"; }

# A linked node_modules (a second checkout sharing the first one's) is left alone: `npm ci` would empty the
# folder it links to, under every checkout that shares it.
if [ -L node_modules ]; then
  echo "node_modules links to $(readlink node_modules): not running npm ci here; run it in that checkout if packages are missing" >&2
elif [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "npm ci"
  npm ci --no-audit --no-fund
fi

step "code-server"
code_server="$(bash scripts/install-code-server.sh)/code-server"

step "npm run package"
npm run --silent package

mkdir -p "$user_data/User" "$extensions" "$workspace"
# The example runbook, to try the runbook language server (kept if you edited it).
cp -n examples/*.runbook.md "$workspace/" 2>/dev/null || true
cat > "$state/config.yaml" <<EOF
bind-addr: 127.0.0.1:$PORT
auth: none
EOF

children=()
cleanup() {
  trap - EXIT INT TERM
  for pid in "${children[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${children[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# wait_for_line LOG PATTERN PID WHAT HINT: waits up to 60 s for PATTERN in LOG while PID lives.
wait_for_line() {
  local log=$1 pattern=$2 pid=$3 what=$4 hint=$5
  for _ in $(seq 600); do
    grep -q "$pattern" "$log" 2>/dev/null && return 0
    if ! kill -0 "$pid" 2>/dev/null; then
      cat "$log" >&2
      echo "$what did not start ($hint)" >&2
      exit 1
    fi
    sleep 0.1
  done
  cat "$log" >&2
  echo "$what did not come up in 60 s" >&2
  exit 1
}

# --- the local fleet server, in its own process group so its shells go with it.
fleet_log="$state/fleet-server.log"
step "fleet server (port base $FLEET_PORT_BASE, log: ${fleet_log#$root/})"
setsid node --import tsx fleet-server/src/main.ts --port-base "$FLEET_PORT_BASE" >"$fleet_log" 2>&1 &
children+=($!)
wait_for_line "$fleet_log" 'fleet server is up' "${children[0]}" "the fleet server" "is port $FLEET_PORT_BASE in use? set FLEET_PORT_BASE"
field() { awk -v k="$1" '$1 == k { print $2; exit }' "$fleet_log"; }
issuer=$(field issuer)
api=$(field API)
relay=$(field relay)
client_id=$(field clientId)

# --- settings: keep the user's own, point cmdop at the local server.
node - "$user_data/User/settings.json" "$issuer" "$api" "$relay" "${client_id:-cmdop-vscode}" <<'EOF'
const fs = require('node:fs');
const [file, issuer, api, relay, clientId] = process.argv.slice(2);
let settings = {
  'telemetry.telemetryLevel': 'off',
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'chat.disableAIFeatures': true,
};
if (fs.existsSync(file)) {
  try {
    settings = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    fs.copyFileSync(file, `${file}.bak`);
    console.error(`${file} is not plain JSON; saved it as settings.json.bak and started a new one`);
  }
}
settings['cmdop.mode'] = 'dev';
settings['cmdop.endpoints'] = { ...(settings['cmdop.endpoints'] || {}), dev: { issuer, api, relay, clientId } };
fs.writeFileSync(file, JSON.stringify(settings, null, 2) + '\n');
EOF

step "install dist/cmdop.vsix"
"$code_server" --config "$state/config.yaml" --user-data-dir "$user_data" --extensions-dir "$extensions" \
  --install-extension dist/cmdop.vsix --force >/dev/null

# --- code-server.
cs_log="$state/code-server.log"
step "code-server on 127.0.0.1:$PORT (log: ${cs_log#$root/})"
setsid "$code_server" --config "$state/config.yaml" --bind-addr "127.0.0.1:$PORT" --auth none \
  --disable-telemetry --disable-update-check --disable-workspace-trust --disable-getting-started-override \
  --user-data-dir "$user_data" --extensions-dir "$extensions" "$workspace" >"$cs_log" 2>&1 &
children+=($!)
wait_for_line "$cs_log" 'HTTP server listening' "${children[1]}" "code-server" "is port $PORT in use? set PORT"

cat <<EOF

CMDOP dev environment is up.

  Open      http://127.0.0.1:$PORT/
  Settings  "cmdop.mode": "dev", issuer $issuer, API $api, relay $relay

Sign in (CMDOP: Sign In, or the status bar) with one of these users:
$(sed -n '/sign in as:/,/VS Code setting/p' "$fleet_log" | sed '1d;$d')

Fleet API keys (CMDOP: Add Fleet API Key):
$(node -e '
  const seed = require("./fleet-server/seed.json");
  for (const f of seed.fleets) for (const k of f.api_keys) {
    const state = k.revoked_at ? " (revoked)" : k.expires_at && Date.parse(k.expires_at) < Date.now() ? " (expired)" : "";
    console.log(`    ${f.id.padEnd(14)} ${k.name.padEnd(12)} ${k.secret}${state}`);
  }')

Ctrl-C stops code-server and the fleet server.
EOF

wait -n "${children[@]}"
echo "a child exited; stopping" >&2
exit 1
