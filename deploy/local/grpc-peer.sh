#!/usr/bin/env bash
# Installs the independent gRPC peer the integration tests use (tests/grpc-peer: @grpc/grpc-js, @grpc/proto-loader,
# @bufbuild/buf from npm): Node.js from Debian packages when it is missing, then the locked packages. Harmless to run twice.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq nodejs npm >/dev/null
fi

peer=tests/grpc-peer
# Reinstall when the lock changed since the last install (npm keeps a copy of the lock it installed from).
if [ ! -f "$peer/node_modules/.package-lock.json" ] || [ "$peer/package-lock.json" -nt "$peer/node_modules/.package-lock.json" ]; then
  npm ci --prefix "$peer" --no-audit --no-fund --loglevel=error >/dev/null
fi

test -x "$peer/node_modules/.bin/buf"
echo "node $(node --version), $peer ready"
