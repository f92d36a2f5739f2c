#!/usr/bin/env bash
# Installs what the tests need beyond the build tools, only when missing: Debian's chromium (never a
# downloaded browser), PostgreSQL (a throwaway server is started per test run), OpenSSH's server and
# client tools (a real sshd on loopback), openssl, curl, borgbackup, gh and PyGithub, aiosmtpd (a real
# SMTP server for alert email), and leptosfmt (the view! formatter the lint step checks).
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
# The real GitHub clients of the end-to-end tests: Debian's gh, and PyGithub in a venv of its own.
command -v gh >/dev/null || missing+=(gh)
python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
# A real SMTP server for the alert email tests (Debian's Python, not a venv: it is a program here).
/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || missing+=(python3-aiosmtpd)
if ((${#missing[@]})); then
  printf '\n==> installing %s\n' "${missing[*]}"
  apt-get -o DPkg::Lock::Timeout=600 update
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}"
fi

# PyGithub, pinned, in end2end/.venv (never the system's Python packages); Octokit is an npm
# package of end2end/package.json.
pygithub_version=2.10.0
venv_python=end2end/.venv/bin/python
if [[ "$("$venv_python" -c 'import importlib.metadata as m; print(m.version("PyGithub"))' 2>/dev/null)" != "$pygithub_version" ]]; then
  printf '\n==> installing PyGithub %s in end2end/.venv\n' "$pygithub_version"
  python3 -m venv end2end/.venv
  "$venv_python" -m pip install --quiet --disable-pip-version-check "PyGithub==$pygithub_version"
fi

# Built like the build tools (see install-build-tools.sh): no LTO, parallel codegen units.
export CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_OPT_LEVEL=1
leptosfmt_version=0.1.33
if [[ "$(leptosfmt --version 2>/dev/null)" != *"$leptosfmt_version"* ]]; then
  printf '\n==> installing leptosfmt %s\n' "$leptosfmt_version"
  cargo install --locked leptosfmt --version "$leptosfmt_version"
fi
