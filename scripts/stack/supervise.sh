#!/usr/bin/env bash
# Keeps one process of the local stack running: started by start_daemon (common.sh) as
#   supervise.sh NAME LOG CMD...
# it runs CMD with output appended to LOG and, when CMD exits without being asked to, starts it
# again after 1 s, 2 s, 4 s … up to 30 s (back to 1 s once it has run for a minute). Each restart
# is logged to LOG and to supervisor.log, and counted in $RUN_DIR/NAME.restarts ("count time
# status"), which `./nudge status` shows. SIGTERM (or SIGINT) stops it: CMD gets
# $SUPERVISE_STOP_SIGNAL (default TERM) and the supervisor exits once CMD has.
set -u
name=$1 log=$2
shift 2
: "${RUN_DIR:?RUN_DIR must be set}" "${LOG_DIR:?LOG_DIR must be set}"
stop_signal=${SUPERVISE_STOP_SIGNAL:-TERM}
max_backoff=${SUPERVISE_MAX_BACKOFF_S:-30}
stable_after=${SUPERVISE_STABLE_AFTER_S:-60}

child=
stopping=
stop() {
  stopping=1
  [ -n "$child" ] && kill "-$stop_signal" "$child" 2>/dev/null
}
trap stop TERM INT

restarts=0
backoff=1
note() { # MESSAGE — into the process's own log and the stack's supervisor log
  local line
  line="---- $(date -Is) supervisor: $name $1"
  echo "$line" >>"$log"
  echo "$line" >>"$LOG_DIR/supervisor.log"
}

while :; do
  started=$SECONDS
  "$@" >>"$log" 2>&1 </dev/null &
  child=$!
  echo "$child" >"$RUN_DIR/$name.pid"
  # A trapped signal interrupts `wait`; wait again until the process has really gone.
  status=0
  wait "$child" || status=$?
  while kill -0 "$child" 2>/dev/null; do wait "$child" || status=$?; done
  [ -n "$stopping" ] && break
  ran=$((SECONDS - started))
  [ "$ran" -ge "$stable_after" ] && backoff=1
  restarts=$((restarts + 1))
  echo "$restarts $(date -Is) $status" >"$RUN_DIR/$name.restarts"
  note "exited with status $status after ${ran}s; restart #$restarts in ${backoff}s"
  sleep "$backoff" &
  wait $! 2>/dev/null
  kill $! 2>/dev/null # stopped during the pause: the sleep goes too
  [ -n "$stopping" ] && break
  backoff=$((backoff * 2 > max_backoff ? max_backoff : backoff * 2))
done
rm -f "$RUN_DIR/$name.pid" "$RUN_DIR/$name.supervisor"
