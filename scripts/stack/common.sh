# Shared helpers for ./nudge and .ci/run. Sourced, never executed.
# Versions pinned for the local stack; bump them together with the README table.
: "${NUDGE_ROOT:?NUDGE_ROOT must be set by the caller}"

# NUDGE_PORT_OFFSET moves every default port of the stack at once, so two stacks (two clones)
# can run on one machine side by side; an explicitly set *_PORT wins.
NUDGE_PORT_OFFSET="${NUDGE_PORT_OFFSET:-0}"
port_at() { echo $(($1 + NUDGE_PORT_OFFSET)); }

DAPR_VERSION="${DAPR_VERSION:-1.18.2}"  # matches @dapr/dapr 3.18; 1.18.3 needs a durabletask-go the proxy does not serve
KAFKA_VERSION="${KAFKA_VERSION:-4.1.1}"
BUN_VERSION="${BUN_VERSION:-1.4.4}"

NUDGE_CACHE="${NUDGE_CACHE:-$NUDGE_ROOT/.cache}"
mkdir -p "$NUDGE_CACHE"
# Resolved, so a cache linked in from elsewhere (CI) is reached without passing through the
# clone's folder, which the postgres system user may not be allowed to enter.
NUDGE_CACHE="$(cd "$NUDGE_CACHE" && pwd -P)"
# Dapr's own layout (`dapr init --slim`): <runtime path>/.dapr/bin/{daprd,placement,scheduler}.
# Standard tooling finds it with DAPR_RUNTIME_PATH=$NUDGE_CACHE.
DAPR_BIN_DIR_GIVEN="${DAPR_BIN_DIR:+1}" # a runtime someone points us at is used as it is
DAPR_BIN_DIR="${DAPR_BIN_DIR:-$NUDGE_CACHE/.dapr/bin}"
RUN_DIR="$NUDGE_CACHE/run"     # pid files
LOG_DIR="$NUDGE_CACHE/logs"    # one log per process
mkdir -p "$NUDGE_CACHE" "$RUN_DIR" "$LOG_DIR"

# Go builds keep their module and build caches inside our cache too.
export GOPATH="$NUDGE_CACHE/go" GOMODCACHE="$NUDGE_CACHE/go/pkg/mod" GOCACHE="$NUDGE_CACHE/go/build"
export GOFLAGS="-modcacherw -buildvcs=false"
# npm and bun keep their download caches here too, so one folder holds everything fetched.
export npm_config_cache="$NUDGE_CACHE/npm" BUN_INSTALL_CACHE_DIR="$NUDGE_CACHE/bun-install"

say()  { printf '\033[1m[nudge]\033[0m %s\n' "$*" >&2; }
step() { printf '\033[1m[nudge] %s:\033[0m %s\n' "$1" "$2" >&2; }
# die COMPONENT LOGFILE HINT — one line naming what failed, where to look and the likely fix.
die()  { printf '\033[31m[nudge] %s failed\033[0m — log: %s — %s\n' "$1" "$2" "$3" >&2; exit 1; }

# install_once NAME STAMP_FILE STAMP CMD… — a one-time install or build that several ./nudge
# commands may reach at once (.ci/run starts the cluster beside the suite; two clones may share
# one cache). One runs CMD holding $NUDGE_CACHE/locks/NAME.lock, the others wait for it and then
# find the stamp. STAMP_FILE is written only after CMD succeeded, so whatever a killed process
# left half done has no stamp and is redone: CMD must start from a clean slate. Every install
# that ran is recorded in $LOG_DIR/installs.log.
install_once() {
  local name=$1 stamp_file=$2 stamp=$3 lock status=0; shift 3
  [ "$(cat "$stamp_file" 2>/dev/null)" = "$stamp" ] && return 0
  mkdir -p "$NUDGE_CACHE/locks"
  exec {lock}>"$NUDGE_CACHE/locks/$name.lock"
  if ! flock -n "$lock"; then
    step "$name" "another ./nudge command is installing it; waiting for it to finish"
    flock "$lock"
  fi
  if [ "$(cat "$stamp_file" 2>/dev/null)" != "$stamp" ]; then
    local start=$SECONDS
    rm -f "$stamp_file"
    # Not `"$@" || …`: that would switch off set -e inside CMD.
    "$@"
    status=$?
    if [ "$status" = 0 ]; then
      mkdir -p "$(dirname "$stamp_file")"
      echo "$stamp" >"$stamp_file"
      record_install "$name ($stamp)" "$start"
    fi
  fi
  exec {lock}>&-
  return "$status"
}

# record_install WHAT START — one line in $LOG_DIR/installs.log (.ci/run lists a run's installs).
record_install() { echo "$(date -Is) $1 installed by pid $$ in $((SECONDS - $2))s" >>"$LOG_DIR/installs.log"; }

# apt_install LOG PACKAGE… — Debian packages, one apt-get at a time across ./nudge commands
# (dpkg's own lock makes a second apt-get fail rather than wait).
apt_install() {
  local log=$1 lock status; shift
  mkdir -p "$NUDGE_CACHE/locks"
  exec {lock}>"$NUDGE_CACHE/locks/apt.lock"
  flock "$lock"
  with_progress "apt-get install $*" "$log" bash -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"' apt "$@"
  status=$?
  exec {lock}>&-
  return "$status"
}

# Elapsed-time ticker for long steps so a silent build never looks hung.
with_progress() { # LABEL LOG CMD...
  local label=$1 log=$2; shift 2
  local start=$SECONDS
  ( "$@" ) >"$log" 2>&1 &
  local pid=$! ticks=0
  # Checked five times a second, reported every ten seconds: a step done in one second costs one
  # second, not a whole reporting interval (a cluster start waits on dozens of such steps).
  while kill -0 "$pid" 2>/dev/null; do
    sleep 0.2
    ticks=$((ticks + 1))
    if [ $((ticks % 50)) = 0 ] && kill -0 "$pid" 2>/dev/null; then
      say "$label … $((SECONDS - start))s ($(tail -n 1 "$log" | cut -c1-100))"
    fi
  done
  wait "$pid"
}

# ---- processes started by the stack: each runs under its own supervisor (supervise.sh), which
# restarts it with backoff when it exits on its own. $RUN_DIR holds NAME.pid (the process),
# NAME.supervisor (its supervisor) and, once it has been restarted, NAME.restarts.
pid_alive() { local f="$RUN_DIR/$1.pid"; [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null; }

start_daemon() { # NAME LOG CMD... — supervised, detached from the terminal so `up` can return
  local name=$1 log=$2; shift 2
  # One log per start of the stack (the previous one is kept as .1), so readiness checks that
  # read the log never see an earlier run's "started" line; restarts append to it.
  [ -f "$log" ] && mv -f "$log" "$log.1"
  echo "---- $(date -Is) starting: $*" >"$log"
  rm -f "$RUN_DIR/$name.pid" "$RUN_DIR/$name.restarts"
  RUN_DIR="$RUN_DIR" LOG_DIR="$LOG_DIR" nohup "$NUDGE_ROOT/scripts/stack/supervise.sh" "$name" "$log" "$@" \
    >>"$log" 2>&1 </dev/null &
  echo $! >"$RUN_DIR/$name.supervisor"
  local i
  for i in $(seq 1 50); do [ -f "$RUN_DIR/$name.pid" ] && return; sleep 0.1; done
}

stop_daemon() { # NAME — the supervisor first (so nothing restarts), then the process: TERM, KILL after 15 s
  local sup="$RUN_DIR/$1.supervisor" f="$RUN_DIR/$1.pid" pid="" spid="" i
  [ -f "$f" ] && pid=$(cat "$f")
  [ -f "$sup" ] && spid=$(cat "$sup")
  if { [ -n "$spid" ] && kill -0 "$spid" 2>/dev/null; } || { [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }; then
    step "$1" "stopping (pid ${pid:-?})"
    if [ -n "$spid" ] && kill -0 "$spid" 2>/dev/null; then kill "$spid" 2>/dev/null || true; else kill "$pid" 2>/dev/null || true; fi
    for i in $(seq 1 150); do
      { [ -n "$spid" ] && kill -0 "$spid" 2>/dev/null; } || { [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; } || break
      sleep 0.1
    done
    # Whatever is left after 15 s (usually nothing: these fail quietly).
    if [ -n "$spid" ]; then kill -9 "$spid" 2>/dev/null || true; fi
    if [ -n "$pid" ]; then kill -9 "$pid" 2>/dev/null || true; fi
  fi
  # The count belongs to that life of the stack: a stopped process starts again from 0.
  rm -f "$f" "$sup" "$RUN_DIR/$1.restarts"
}

stop_daemons() { # NAME... — stop_daemon for each, all at once
  local name stoppers=()
  for name in "$@"; do stop_daemon "$name" & stoppers+=($!); done
  # Only these: a bare `wait` also waits for the supervisors this shell started (./nudge test
  # after starting the infrastructure itself), which never end.
  wait "${stoppers[@]}"
}

# daemon_up NAME — running, or between two lives under its supervisor.
daemon_up() {
  pid_alive "$1" || { [ -f "$RUN_DIR/$1.supervisor" ] && kill -0 "$(cat "$RUN_DIR/$1.supervisor")" 2>/dev/null; }
}

# restarts NAME — how often the supervisor restarted NAME since it was started (0 if never).
restarts() { local f="$RUN_DIR/$1.restarts"; if [ -f "$f" ]; then cut -d' ' -f1 "$f"; else echo 0; fi; }

wait_until() { # NAME LOG TIMEOUT_S HINT CMD... — polls CMD every 0.3 s; dies with the hint on timeout
  local name=$1 log=$2 timeout=$3 hint=$4; shift 4
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    # Exiting during start-up is a failure to report, not one to restart forever.
    if [ "$(restarts "$name")" != 0 ]; then stop_daemon "$name"; die "$name" "$log" "process exited during start-up: $hint"; fi
    [ $SECONDS -lt $deadline ] || die "$name" "$log" "$hint"
    sleep 0.3
  done
}
