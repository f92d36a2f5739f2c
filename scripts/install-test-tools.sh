#!/usr/bin/env bash
# Installs what the tests need beyond the build tools, only when missing: Debian's chromium (never a
# downloaded browser), PostgreSQL (a throwaway server is started per test run), OpenSSH's server and
# client tools (a real sshd on loopback), openssl, curl and borgbackup, and leptosfmt (the view! formatter the
# lint step checks).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null || missing+=(chromium)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
[[ -x /usr/sbin/sshd ]] || missing+=(openssh-server)
command -v ssh-keygen >/dev/null || missing+=(openssh-client)
# openssl makes the encrypted PKCS#8 keys of the KDF tests; curl sends the attack suite's raw requests.
command -v openssl >/dev/null || missing+=(openssl)
command -v curl >/dev/null || missing+=(curl)
# Debian's borg: verify-borg is tested against a real one on the test sshd.
command -v borg >/dev/null || missing+=(borgbackup)
if ((${#missing[@]})); then
  printf '\n==> installing %s\n' "${missing[*]}"
  apt-get -o DPkg::Lock::Timeout=600 update
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}"
fi

# Built like the build tools (see install-build-tools.sh): no LTO, parallel codegen units.
export CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_OPT_LEVEL=1
leptosfmt_version=0.1.33
if [[ "$(leptosfmt --version 2>/dev/null)" != *"$leptosfmt_version"* ]]; then
  printf '\n==> installing leptosfmt %s\n' "$leptosfmt_version"
  cargo install --locked leptosfmt --version "$leptosfmt_version"
fi
