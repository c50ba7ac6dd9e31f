#!/usr/bin/env bash
# Start a throwaway PostgreSQL 15 (Debian's) cluster for the tests, on a free
# loopback port, and print the shell lines that point the tests at it:
#
#   eval "$(scripts/ci-postgres.sh)"     # exports TEST_DATABASE_URL, sets a stop trap
#   npm test
#
# Runs as root on a fresh Debian machine (installs postgresql if missing) or as
# any user that has initdb/pg_ctl. Progress goes to stderr; stdout is only the
# lines to eval. `scripts/ci-postgres.sh stop DIR` stops and removes a cluster.
set -euo pipefail

log() { echo "ci-postgres: $*" >&2; }

as_owner() {
  # PostgreSQL refuses to run as root: root runs it as the postgres user.
  if [ "$(id -u)" = 0 ]; then
    su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
  else
    "$@"
  fi
}

find_bindir() {
  local dir
  for dir in /usr/lib/postgresql/15/bin "$(pg_config --bindir 2>/dev/null || true)" /usr/lib/postgresql/*/bin; do
    if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

if [ "${1:-}" = stop ]; then
  dir=${2:?usage: ci-postgres.sh stop DIR}
  bindir=$(find_bindir)
  as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  log "stopped and removed $dir"
  exit 0
fi

if ! bindir=$(find_bindir); then
  if [ "$(id -u)" != 0 ]; then
    log "PostgreSQL server binaries (initdb, pg_ctl) not found; install Debian's postgresql package"
    exit 1
  fi
  log "installing Debian's postgresql"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  bindir=$(find_bindir)
fi

if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
  useradd --system --user-group --home-dir /var/lib/postgresql postgres
fi

# A free TCP port on the loopback interface, asked of the kernel.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1]); s.close()' 2>/dev/null ||
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')

dir=$(mktemp -d "${TMPDIR:-/tmp}/ci-postgres.XXXXXX")
chmod 755 "$dir"
if [ "$(id -u)" = 0 ]; then chown postgres: "$dir"; fi

log "initialising a cluster in $dir/data with $bindir"
as_owner "$bindir/initdb" -D "$dir/data" --auth=trust --username=postgres --encoding=UTF8 --locale=C \
  >"$dir/initdb.log" 2>&1 || {
  cat "$dir/initdb.log" >&2
  exit 1
}
log "starting it on 127.0.0.1:$port"
as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir -c fsync=off" start >&2 || {
  cat "$dir/server.log" >&2
  exit 1
}
version=$(as_owner "$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -Atc 'SHOW server_version')
log "PostgreSQL $version ready"

self=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")
cat <<OUT
export TEST_DATABASE_URL=postgres://postgres@127.0.0.1:$port/postgres
export CI_POSTGRES_DIR=$dir
ci_postgres_stop() { bash '$self' stop '$dir'; }
trap ci_postgres_stop EXIT
OUT
