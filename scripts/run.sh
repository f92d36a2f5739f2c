#!/usr/bin/env bash
# Builds Keyhaven (release) and runs it on SQLite at http://127.0.0.1:3000 (data in ./data).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-release.sh
exec target/release/keyhaven serve "$@"
