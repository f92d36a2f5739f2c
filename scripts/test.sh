#!/usr/bin/env bash
# Installs what the tests need, then runs every test: formatting and lints, unit and integration
# tests on SQLite and a throwaway PostgreSQL, the release build, and end-to-end tests in Debian's
# chromium with JavaScript on and off. Prints one summary line at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS

scripts/install-build-tools.sh
scripts/install-test-tools.sh
export PATH="$PWD/end2end/node_modules/.bin:$PATH"

log() { printf '\n==> %s (%ds)\n' "$*" $((SECONDS - started)); }
results="$(mktemp)"
pg_dir=""
cleanup() {
  [[ -n "$pg_dir" ]] && scripts/postgres-throwaway.sh stop "$pg_dir"
  rm -f "$results"
}
trap cleanup EXIT

log "formatting and lints"
cargo fmt --all -- --check
leptosfmt --check src >/dev/null || { leptosfmt --check src | grep -v '^✅'; exit 1; }
cargo clippy --features ssr --all-targets -- -D warnings

log "starting a throwaway PostgreSQL"
pg_info="$(scripts/postgres-throwaway.sh)"
pg_dir="$(sed -n 's/^DIR=//p' <<<"$pg_info")"
export KEYHAVEN_TEST_POSTGRES_URL="$(sed -n 's/^URL=//p' <<<"$pg_info")"

log "unit and integration tests (SQLite and PostgreSQL)"
CI=true cargo test --features ssr 2>&1 | tee -a "$results"

log "release build"
cargo leptos build --release --split
scripts/precompress.sh

log "end-to-end tests in chromium (JavaScript on and off)"
(cd end2end && npx playwright test) 2>&1 | tee -a "$results"

# cargo prints "test result: ok. N passed; M failed"; Playwright prints "N passed (12s)".
summary="$(awk '
  { while (match($0, /[0-9]+ (passed|failed)/)) {
      part = substr($0, RSTART, RLENGTH); split(part, w, " ")
      if (w[2] == "passed") p += w[1]; else f += w[1]
      $0 = substr($0, RSTART + RLENGTH) } }
  END { printf "%d passed, %d failed\n", p, f }' "$results")"
log "all suites finished"
echo "$summary"
