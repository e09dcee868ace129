# PostgreSQL for the local stack: the server DATABASE_URL points at if it answers, otherwise a
# private cluster under the cache on its own port. Sourced by ./nudge.

PG_PORT="${PG_PORT:-$(port_at 54329)}"
PG_DATA="$NUDGE_CACHE/data/postgres"
PG_SOCKET_DIR="$RUN_DIR"
LOCAL_DATABASE_URL="postgres://nudge@127.0.0.1:$PG_PORT/nudge"

pg_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n -r); do
    [ -x "$d/initdb" ] && [ "$(basename "$(dirname "$d")")" -ge 15 ] && { echo "$d"; return; }
  done
  command -v initdb >/dev/null && dirname "$(command -v initdb)"
}

ensure_postgres_packages() {
  [ -n "$(pg_bindir)" ] && return
  local log="$LOG_DIR/apt.log"
  [ "$(id -u)" = 0 ] || die postgres "-" "PostgreSQL ≥ 15 is not installed: run 'sudo apt-get install -y postgresql' or set DATABASE_URL"
  step postgres "installing Debian's postgresql packages (apt-get)"
  apt_install "$log" postgresql ||
    die postgres "$log" "apt-get install postgresql failed (apt sources reachable? dpkg locked?)"
}

# initdb and postgres refuse to run as root; root runs them as the `postgres` system user.
as_pg_user() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

external_postgres_answers() {
  [ -n "${DATABASE_URL:-}" ] && [ "$DATABASE_URL" != "$LOCAL_DATABASE_URL" ] && command -v pg_isready >/dev/null &&
    pg_isready -q -d "$DATABASE_URL" -t 3
}

# The postmaster runs in the foreground, so that its supervisor sees it exit and starts it
# again; as the postgres user when we are root (setpriv execs, so signals reach postgres itself).
pg_as_user_prefix() { if [ "$(id -u)" = 0 ]; then echo setpriv --reuid=postgres --regid=postgres --init-groups; fi; }

start_postgres() {
  local log="$LOG_DIR/postgres.log"
  if external_postgres_answers; then step postgres "using the server at DATABASE_URL"; return; fi
  ensure_postgres_packages
  local bin; bin=$(pg_bindir)
  if daemon_up postgres; then step postgres "already running on 127.0.0.1:$PG_PORT"; return; fi
  # One started by an older ./nudge (pg_ctl, unsupervised): stop it, to run it supervised.
  if [ -f "$PG_DATA/postmaster.pid" ] && as_pg_user "$bin/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
    step postgres "restarting the running server under supervision"
    as_pg_user "$bin/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null 2>&1 || true
  fi
  port_open "$PG_PORT" && die postgres "$log" "port $PG_PORT is taken by another process: stop it or set PG_PORT"
  if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$NUDGE_CACHE"; then
    die postgres "-" "the postgres user cannot enter $NUDGE_CACHE: set NUDGE_CACHE to a folder outside /root (e.g. /var/cache/nudge)"
  fi
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    step postgres "creating a private cluster in $PG_DATA ($("$bin/postgres" --version))"
    mkdir -p "$PG_DATA" && touch "$log"
    [ "$(id -u)" = 0 ] && chown postgres "$PG_DATA" "$log"
    as_pg_user "$bin/initdb" -D "$PG_DATA" -U nudge --auth=trust -E UTF8 --locale=C.UTF-8 >>"$log" 2>&1 ||
      die postgres "$log" "initdb failed (disk full? delete $PG_DATA and retry)"
  fi
  [ "$(id -u)" = 0 ] && chown postgres "$PG_SOCKET_DIR"
  step postgres "starting on 127.0.0.1:$PG_PORT"
  # Loopback only; fsync stays on — the outbox guarantees are tested against real durability.
  # Stopped with SIGINT: PostgreSQL's fast shutdown (SIGTERM would wait for every client).
  local as_user; read -ra as_user <<<"$(pg_as_user_prefix)"
  SUPERVISE_STOP_SIGNAL=INT start_daemon postgres "$log" "${as_user[@]}" "$bin/postgres" -D "$PG_DATA" -p "$PG_PORT" \
    -c listen_addresses=127.0.0.1 -k "$PG_SOCKET_DIR" -c max_connections=200 -c wal_level=logical
  wait_until postgres "$log" 60 "server did not start within 60s" "$bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"
  as_pg_user "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U nudge -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='nudge'" | grep -q 1 ||
    as_pg_user "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U nudge nudge >>"$log" 2>&1 ||
    die postgres "$log" "could not create database nudge"
}

stop_postgres() {
  if [ -f "$RUN_DIR/postgres.supervisor" ]; then stop_daemon postgres; return; fi
  local bin; bin=$(pg_bindir)
  [ -n "$bin" ] && [ -f "$PG_DATA/postmaster.pid" ] || return 0
  step postgres "stopping"
  as_pg_user "$bin/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null 2>&1 || true
}

postgres_url() { if external_postgres_answers; then echo "$DATABASE_URL"; else echo "$LOCAL_DATABASE_URL"; fi; }
