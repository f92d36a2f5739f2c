#!/usr/bin/env bash
# Installs what building Keyhaven needs, each tool only when it is missing or of the wrong version:
# the wasm32 target, cargo-leptos 0.3.10 (0.3.11 needs a newer rustc), the wasm-bindgen CLI of the
# version in Cargo.lock, wasm-opt (npm package binaryen, in end2end/node_modules) and Debian's
# zopfli (for scripts/precompress.sh).
# GitHub downloads do not work here, so cargo-leptos is built with `no_downloads`.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n==> %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! cargo leptos --version 2>/dev/null | grep -q '0\.3\.10'; then
  log "installing cargo-leptos 0.3.10 (about 18 minutes on 2 cores)"
  cargo install --locked cargo-leptos@0.3.10 --features no_downloads
fi

want_bindgen="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
if ! wasm-bindgen --version 2>/dev/null | grep -q " ${want_bindgen}\$"; then
  log "installing wasm-bindgen-cli ${want_bindgen} (about 3 minutes)"
  # Without --locked: the CLI's own lockfile pins a yanked crate.
  cargo install wasm-bindgen-cli --version "${want_bindgen}" --force
fi

if ! command -v zopfli >/dev/null; then
  log "installing zopfli (compresses the release build's wasm once, for scripts/precompress.sh)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends zopfli ||
    { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends zopfli; }
fi

if ! command -v npm >/dev/null; then
  log "installing Node.js and npm"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs npm
fi

if [[ ! -x end2end/node_modules/.bin/wasm-opt ]] || ! cmp -s end2end/package-lock.json end2end/node_modules/.package-lock.json.keyhaven; then
  log "installing npm packages (binaryen's wasm-opt, Playwright without a browser, axe-core)"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
  cp end2end/package-lock.json end2end/node_modules/.package-lock.json.keyhaven
fi
