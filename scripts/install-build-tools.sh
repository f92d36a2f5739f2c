#!/usr/bin/env bash
# Installs what building Keyhaven needs, each tool only when it is missing or of the wrong version:
# the wasm32 target, cargo-leptos 0.3.10 (0.3.11 needs a newer rustc), the wasm-bindgen CLI of the
# version in Cargo.lock, wasm-opt (npm package binaryen, in end2end/node_modules) and Debian's
# zopfli (for scripts/precompress.sh).
# GitHub downloads do not work here, so cargo-leptos is built with `no_downloads`.
# Usage: scripts/install-build-tools.sh [--check]   (--check: exit 1 if anything is missing)
# apt-get waits for the package lock (the test tools may be installing beside it).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n==> %s\n' "$*"; }

# The tools are built without link-time optimisation, at opt-level 1 and in parallel codegen units:
# their own release profiles (cargo-leptos: fat LTO in one codegen unit) made a fresh install take
# 18 minutes on 2 cores; now 9.5. They run for seconds per build, where the difference does not
# show. These variables reach only the `cargo install`s below (this script is its own process).
export CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_OPT_LEVEL=1

want_bindgen="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
have_target() { rustup target list --installed | grep -qx wasm32-unknown-unknown; }
have_leptos() { cargo leptos --version 2>/dev/null | grep -q '0\.3\.10'; }
have_bindgen() { wasm-bindgen --version 2>/dev/null | grep -q " ${want_bindgen}\$"; }
have_npm_packages() {
  [[ -x end2end/node_modules/.bin/wasm-opt ]] && cmp -s end2end/package-lock.json end2end/node_modules/.package-lock.json.keyhaven
}

if [[ "${1:-}" == "--check" ]]; then
  have_target && have_leptos && have_bindgen && command -v zopfli >/dev/null && command -v npm >/dev/null &&
    have_npm_packages
  exit
fi

if ! have_target; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! have_leptos; then
  log "installing cargo-leptos 0.3.10 (about 10 minutes on 2 cores)"
  cargo install --locked cargo-leptos@0.3.10 --features no_downloads
fi

if ! have_bindgen; then
  log "installing wasm-bindgen-cli ${want_bindgen} (about 2 minutes)"
  # Without --locked: the CLI's own lockfile pins a yanked crate.
  cargo install wasm-bindgen-cli --version "${want_bindgen}" --force
fi

if ! command -v zopfli >/dev/null; then
  log "installing zopfli (compresses the release build's wasm once, for scripts/precompress.sh)"
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends zopfli ||
    { apt-get -o DPkg::Lock::Timeout=600 update && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends zopfli; }
fi

if ! command -v npm >/dev/null; then
  log "installing Node.js and npm"
  apt-get -o DPkg::Lock::Timeout=600 update
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends nodejs npm
fi

if ! have_npm_packages; then
  log "installing npm packages (binaryen's wasm-opt, Playwright without a browser, axe-core)"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
  cp end2end/package-lock.json end2end/node_modules/.package-lock.json.keyhaven
fi
