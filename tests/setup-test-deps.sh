#!/usr/bin/env bash
# Installs what the browser tests need and pip cannot: Debian's chromium, and npm's axe-core.
# Idempotent; called by `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then
    echo "installing Debian's chromium for the browser tests..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
  else
    echo "chromium is missing: run 'sudo apt-get install chromium' (browser tests need it)" >&2
    exit 1
  fi
fi

if [ -f package.json ] && [ ! -d node_modules/axe-core ]; then
  echo "installing npm test assets (axe-core)..."
  if [ -f package-lock.json ]; then npm ci --silent --no-audit --no-fund; else npm install --silent --no-audit --no-fund; fi
fi
