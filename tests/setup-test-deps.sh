#!/usr/bin/env bash
# Installs what the tests need and pip cannot: Debian's chromium (browser tests) and jq (the README's
# walk-through), and npm's packages (axe-core; `make assets` has usually installed them already).
# Idempotent; called by `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1 || ! command -v jq >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then
    echo "installing Debian's chromium and jq for the tests..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core jq >/dev/null
  else
    echo "chromium or jq is missing: run 'sudo apt-get install chromium jq' (browser tests and the README's walk-through need them)" >&2
    exit 1
  fi
fi

if [ -f package.json ] && [ ! -d node_modules/axe-core ]; then
  echo "installing npm test assets (axe-core)..."
  if [ -f package-lock.json ]; then npm ci --silent --no-audit --no-fund; else npm install --silent --no-audit --no-fund; fi
fi
