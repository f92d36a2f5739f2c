#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server in a temporary directory on a free loopback port and prints
# its URL. Stop it with: scripts/postgres-throwaway.sh stop DIR
# initdb and postgres refuse to run as root, so they run as the `postgres` user.
set -euo pipefail

pg_bindir() { ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1; }

if [[ "${1:-}" == "stop" ]]; then
  dir="$2"
  if [[ -f "$dir/data/postmaster.pid" ]]; then
    runuser -u postgres -- "$(pg_bindir)/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  exit 0
fi

bindir="$(pg_bindir)"
dir="$(mktemp -d /tmp/keyhaven-pg.XXXXXX)"
chown postgres:postgres "$dir"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
runuser -u postgres -- "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1
runuser -u postgres -- "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c full_page_writes=off -c max_connections=200" start >/dev/null
echo "DIR=$dir"
echo "URL=postgres://postgres@127.0.0.1:$port/postgres"
