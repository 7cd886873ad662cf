#!/usr/bin/env bash
# The reference MCP servers the `mcp` provider tests talk to, installed under $LUMEN_PEERS/mcp/:
#
#   venv/bin/mcp-server-time                       PyPI mcp-server-time (a Python venv)
#   node_modules/.bin/mcp-server-everything        npm @modelcontextprotocol/server-everything
#   node_modules/.bin/mcp-server-filesystem        npm @modelcontextprotocol/server-filesystem
#
# Idempotent: a component already at the pinned version is left alone. Needs Python >= 3.10 and
# Node >= 18 with npm.
set -euo pipefail

TIME_VERSION="2026.10.19"
EVERYTHING_VERSION="2026.8.31"
FILESYSTEM_VERSION="2026.8.31"

peers="${LUMEN_PEERS:-$HOME/.cache/lumen-peers}"
dir="$peers/mcp"
mkdir -p "$dir"

python="${PYTHON:-python3}"
if [ ! -x "$dir/venv/bin/python" ]; then
  "$python" -m venv "$dir/venv"
fi
installed_time="$("$dir/venv/bin/python" -m pip show mcp-server-time 2>/dev/null | sed -n 's/^Version: //p' || true)"
if [ "$installed_time" != "$TIME_VERSION" ]; then
  "$dir/venv/bin/python" -m pip install --quiet --disable-pip-version-check "mcp-server-time==$TIME_VERSION"
fi

npm_version() {
  local manifest="$dir/node_modules/$1/package.json"
  [ -f "$manifest" ] && node -p "require(process.argv[1]).version" "$manifest" || true
}
if [ "$(npm_version @modelcontextprotocol/server-everything)" != "$EVERYTHING_VERSION" ] ||
  [ "$(npm_version @modelcontextprotocol/server-filesystem)" != "$FILESYSTEM_VERSION" ]; then
  npm install --prefix "$dir" --no-audit --no-fund --loglevel=error \
    "@modelcontextprotocol/server-everything@$EVERYTHING_VERSION" \
    "@modelcontextprotocol/server-filesystem@$FILESYSTEM_VERSION"
fi

for bin in "$dir/venv/bin/mcp-server-time" "$dir/node_modules/.bin/mcp-server-everything" \
  "$dir/node_modules/.bin/mcp-server-filesystem"; do
  if [ ! -x "$bin" ]; then
    echo "mcp peers: $bin is missing after the install" >&2
    exit 1
  fi
done
echo "mcp: mcp-server-time $("$dir/venv/bin/python" -m pip show mcp-server-time | sed -n 's/^Version: //p') -> $dir/venv/bin/mcp-server-time"
echo "mcp: @modelcontextprotocol/server-everything $(npm_version @modelcontextprotocol/server-everything) -> $dir/node_modules/.bin/mcp-server-everything"
echo "mcp: @modelcontextprotocol/server-filesystem $(npm_version @modelcontextprotocol/server-filesystem) -> $dir/node_modules/.bin/mcp-server-filesystem"
