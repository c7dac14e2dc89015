#!/usr/bin/env bash
# Runs a command with a PostgreSQL server of its own: a cluster made with initdb in a temporary
# directory, owned by an unprivileged user (PostgreSQL refuses to run as root), listening on a
# free loopback port, stopped and removed when the command ends, however it ends. The command
# finds it in SENTINELLE_TEST_POSTGRES (a URL to the `postgres` database, trust auth, loopback
# only). No system service is assumed or touched.
#   bash scripts/with-postgres.sh cargo test -p sentinelle-intake
set -euo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
[ -n "$bin" ] && [ -x "$bin/initdb" ] || { echo "with-postgres: PostgreSQL is not installed (scripts/setup.sh installs it)" >&2; exit 1; }

tmp=$(mktemp -d /tmp/sentinelle-pg.XXXXXX)
as=()
if [ "$(id -u)" = 0 ]; then
  user=postgres
  id "$user" >/dev/null 2>&1 || user=nobody
  chown "$user" "$tmp"
  as=(runuser -u "$user" --)
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

stop() {
  "${as[@]}" "$bin/pg_ctl" -D "$tmp/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap stop EXIT INT TERM

"${as[@]}" "$bin/initdb" -D "$tmp/data" -U postgres --auth=trust -E UTF8 --no-sync >"$tmp/initdb.log" 2>&1 \
  || { cat "$tmp/initdb.log" >&2; exit 1; }
# Loopback only, socket in the temporary directory; fsync off (a test cluster holds nothing to
# keep) unless PG_FSYNC=on asks for a real server's durability (benchmarks).
"${as[@]}" "$bin/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w -t 60 \
  -o "-p $port -k $tmp -c listen_addresses=127.0.0.1 -c fsync=${PG_FSYNC:-off} -c max_connections=200" start >/dev/null \
  || { cat "$tmp/server.log" >&2; exit 1; }

export SENTINELLE_TEST_POSTGRES="postgres://postgres@127.0.0.1:$port/postgres"
echo "with-postgres: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
"$@"
