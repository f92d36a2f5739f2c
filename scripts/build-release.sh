#!/usr/bin/env bash
# The one release build (server and browser bundle, then the gzip twins) that `scripts/run.sh`, the
# end-to-end tests and the benchmarks share. Skipped when nothing it is built from changed since
# the last one: `cargo leptos build --release --split` re-runs the wasm post-processing (split,
# bindgen, wasm-opt) every time, which takes minutes even with nothing to compile.
# Usage: scripts/build-release.sh [--force]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/end2end/node_modules/.bin:$PATH"

# A machine without the build tools builds them while the server compiles: both take minutes and
# neither keeps both cores busy all the time. The server is built as cargo-leptos builds it (same
# profile and features, and LEPTOS_OUTPUT_NAME, which the leptos crates read at compile time), so
# the build below finds it done.
if ! scripts/install-build-tools.sh --check; then
  tools_log="$(mktemp)"
  echo "installing the build tools (log: $tools_log) while the server compiles"
  scripts/install-build-tools.sh >"$tools_log" 2>&1 &
  tools=$!
  LEPTOS_OUTPUT_NAME=keyhaven cargo build --release --no-default-features --features ssr --bin keyhaven ||
    echo "(the server build is repeated below)"
  wait "$tools" || { cat "$tools_log"; exit 1; }
  grep '^==>' "$tools_log" || true
fi

stamp=target/site/.keyhaven-build
# What the build reads: sources, styles, assets, manifests, the toolchain and the profile settings
# from the environment (CARGO_PROFILE_*).
fingerprint() {
  {
    find src style public migrations Cargo.toml Cargo.lock Leptos.toml -type f -print0 | sort -z |
      xargs -0 sha256sum
    rustc -V
    cargo leptos --version
    env | grep -E '^(CARGO_PROFILE_|RUSTFLAGS|LEPTOS_)' | sort || true
  } | sha256sum | cut -d' ' -f1
}

# The stamp also names the server binary it was written for: `cargo bench` writes
# target/release/keyhaven too (with the dev-dependencies' features), and the end-to-end tests must
# not take that binary for this build's.
server_binary() { sha256sum target/release/keyhaven 2>/dev/null | cut -d' ' -f1; }

want="$(fingerprint)"
if [[ "${1:-}" != "--force" && -x target/release/keyhaven && -f "$stamp" &&
  "$(cat "$stamp")" == "$want $(server_binary)" ]]; then
  echo "the release build is current (nothing it is built from changed)"
  exit 0
fi
rm -f "$stamp"
cargo leptos build --release --split
scripts/precompress.sh
echo "$want $(server_binary)" >"$stamp"
