#!/usr/bin/env bash
# Installs what the tests need beyond the build tools, only when missing: Debian's chromium (never a
# downloaded browser) and PostgreSQL (a throwaway server is started per test run).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null || missing+=(chromium)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
if ((${#missing[@]})); then
  printf '\n==> installing %s\n' "${missing[*]}"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi
