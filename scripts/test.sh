#!/usr/bin/env bash
# Installs what the tests need, then runs every test: formatting and lints, unit and integration
# tests on SQLite and a throwaway PostgreSQL, the release build, and end-to-end tests in Debian's
# chromium with JavaScript on and off. Prints one summary line at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS

# Each stage's name and start, for the table of stage times at the end.
stages=()
log() {
  stages+=("$SECONDS $*")
  printf '\n==> %s (%ds)\n' "$*" $((SECONDS - started))
}
stage_times() {
  local i now=$SECONDS
  echo "stage times:"
  for i in "${!stages[@]}"; do
    local start="${stages[$i]%% *}" name="${stages[$i]#* }" end=$now
    ((i + 1 < ${#stages[@]})) && end="${stages[$((i + 1))]%% *}"
    printf '  %5ds  %s\n' $((end - start)) "$name"
  done
  printf '  %5ds  total\n' $((now - started))
}

results="$(mktemp)"
tools_log="$(mktemp)"
pg_dir=""
tools=""
finished=""
cleanup() {
  [[ -n "$tools" ]] && kill "$tools" 2>/dev/null
  [[ -n "$pg_dir" ]] && scripts/postgres-throwaway.sh stop "$pg_dir"
  rm -f "$results" "$tools_log"
  # A failed run shows how far it got and how long each stage took.
  [[ -n "$finished" ]] || stage_times
}
trap cleanup EXIT

# The build tools are needed only by the release build: on a machine without them they are built
# in the background while the test tools install and the tests compile (neither keeps both cores
# busy all the time), and the tests run only once they are done, on a quiet machine.
log "build tools (built in the background when missing) and test tools"
if ! scripts/install-build-tools.sh --check; then
  scripts/install-build-tools.sh >"$tools_log" 2>&1 &
  tools=$!
fi
wait_for_build_tools() {
  [[ -n "$tools" ]] || return 0
  local pid=$tools
  tools=""
  wait "$pid" || { cat "$tools_log"; echo "installing the build tools failed" >&2; return 1; }
  grep '^==>' "$tools_log" || true
}
scripts/install-test-tools.sh
export PATH="$PWD/end2end/node_modules/.bin:$PATH"

log "formatting and lints"
cargo fmt --all -- --check
leptosfmt --check src >/dev/null || { leptosfmt --check src | grep -v '^✅'; exit 1; }
cargo clippy --features ssr --all-targets -- -D warnings

log "starting a throwaway PostgreSQL"
pg_info="$(scripts/postgres-throwaway.sh)"
pg_dir="$(sed -n 's/^DIR=//p' <<<"$pg_info")"
export KEYHAVEN_TEST_POSTGRES_URL="$(sed -n 's/^URL=//p' <<<"$pg_info")"

log "compiling the tests"
cargo test --features ssr --no-run
log "waiting for the build tools"
wait_for_build_tools

log "unit and integration tests (SQLite and PostgreSQL)"
# A test that hangs fails the run at this bound (they take 2–3 minutes; "has been running for
# over 60 seconds" above names it) instead of using up CI's 90 minutes.
CI=true timeout --kill-after=30 1200 cargo test --features ssr 2>&1 | tee -a "$results"

log "release build"
scripts/build-release.sh

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
finished=1
stage_times
echo "$summary"
