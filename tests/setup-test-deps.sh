#!/usr/bin/env bash
# Installs what the tests need and pip cannot: Debian's chromium (browser tests), jq (the README's
# walk-through) and xmlsec1 (pysaml2 checks SAML signatures with it: the SAML sign-in tests, and production), and
# npm's packages (axe-core; `make assets` has usually installed them already).
# Idempotent; called by `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1 || ! command -v jq >/dev/null 2>&1 || ! command -v xmlsec1 >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then
    echo "installing Debian's chromium, jq and xmlsec1 for the tests..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core jq xmlsec1 >/dev/null
  else
    echo "chromium, jq or xmlsec1 is missing: run 'sudo apt-get install chromium jq xmlsec1' (browser tests, the README's walk-through and the SAML tests need them)" >&2
    exit 1
  fi
fi

if [ -f package.json ] && [ ! -d node_modules/axe-core ]; then
  echo "installing npm test assets (axe-core)..."
  if [ -f package-lock.json ]; then npm ci --silent --no-audit --no-fund; else npm install --silent --no-audit --no-fund; fi
fi
