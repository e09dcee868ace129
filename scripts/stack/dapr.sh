# Dapr runtime: daprd, placement, scheduler in the `dapr init --slim` layout.
# Uses binaries already in $DAPR_BIN_DIR (or ~/.dapr/bin); otherwise builds them from the
# published github.com/dapr/dapr Go module. Sourced by ./nudge.

# Component registrations Nudge needs; every other file in cmd/daprd/components is dropped
# so daprd compiles in minutes instead of pulling every cloud SDK. The runtime is untouched.
DAPR_COMPONENTS=(
  pubsub_kafka pubsub_in-memory
  state_postgres state_in-memory
  secretstores_local_file secretstores_local_env secretstores_kubernetes
  bindings_cron
  nameresolution_sqlite nameresolution_mdns nameresolution_kubernetes
)

dapr_installed() {
  [ -x "$DAPR_BIN_DIR/daprd" ] && [ -x "$DAPR_BIN_DIR/placement" ] && [ -x "$DAPR_BIN_DIR/scheduler" ] &&
    [ "$(cat "$DAPR_BIN_DIR/.nudge-build" 2>/dev/null)" = "$(dapr_build_id)" ]
}

dapr_build_id() { echo "dapr $DAPR_VERSION; ${DAPR_COMPONENTS[*]}"; }

ensure_dapr() {
  if [ -x "$HOME/.dapr/bin/daprd" ] && [ -x "$HOME/.dapr/bin/placement" ] && [ -x "$HOME/.dapr/bin/scheduler" ] &&
     [ "$DAPR_BIN_DIR" = "$NUDGE_CACHE/.dapr/bin" ] && [ -z "${NUDGE_BUILD_DAPR:-}" ]; then
    DAPR_BIN_DIR="$HOME/.dapr/bin"
    step dapr "using the installed runtime in $DAPR_BIN_DIR ($("$DAPR_BIN_DIR/daprd" --version 2>/dev/null))"
    return
  fi
  if dapr_installed; then
    step dapr "runtime $DAPR_VERSION ready in $DAPR_BIN_DIR"
    return
  fi
  command -v go >/dev/null || die dapr "-" "no Go toolchain on PATH: install Go ≥ 1.26 (apt-get install golang or the Go module proxy's toolchain)"
  local log="$LOG_DIR/dapr-build.log" src="$NUDGE_CACHE/src/dapr-$DAPR_VERSION" start=$SECONDS
  : >"$log"
  step dapr "downloading github.com/dapr/dapr@v$DAPR_VERSION through the Go module proxy"
  local moddir
  moddir=$(go mod download -json "github.com/dapr/dapr@v$DAPR_VERSION" 2>>"$log" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  [ -d "$moddir" ] || die dapr "$log" "the Go module proxy did not serve dapr v$DAPR_VERSION (check GOPROXY and the network)"
  # go.mod carries replace directives, so `go install …@version` refuses; build inside a copy.
  rm -rf "$src" && mkdir -p "$(dirname "$src")" && cp -r "$moddir" "$src" && chmod -R u+w "$src"
  local keep f name
  for f in "$src"/cmd/daprd/components/*.go; do
    name=$(basename "$f" .go); keep=
    for c in "${DAPR_COMPONENTS[@]}"; do [ "$name" = "$c" ] && keep=1; done
    [ -n "$keep" ] || rm "$f"
  done
  local ldflags="-s -w -X github.com/dapr/dapr/pkg/buildinfo.version=$DAPR_VERSION"
  mkdir -p "$DAPR_BIN_DIR"
  # One go build for the three: the packages they share compile once, and one links while
  # the next compiles.
  step dapr "building daprd, placement, scheduler in one go build (first build downloads its modules and takes several minutes; log: $log)"
  with_progress "dapr: go build" "$log.build" \
    bash -c "cd '$src' && go build -v -tags allcomponents -trimpath -ldflags '$ldflags' -o '$DAPR_BIN_DIR/' ./cmd/daprd ./cmd/placement ./cmd/scheduler" ||
    { cat "$log.build" >>"$log"; die dapr "$log" "go build of daprd, placement, scheduler failed (disk space? Go ≥ 1.26.6? module proxy reachable?)"; }
  cat "$log.build" >>"$log"; rm -f "$log.build"
  dapr_build_id >"$DAPR_BIN_DIR/.nudge-build"
  step dapr "built daprd, placement, scheduler $DAPR_VERSION in $((SECONDS - start))s"
}

PLACEMENT_PORT="${PLACEMENT_PORT:-$(port_at 50005)}"
SCHEDULER_PORT="${SCHEDULER_PORT:-$(port_at 50006)}"
DAPR_DATA="$NUDGE_CACHE/data"

start_placement() {
  local log="$LOG_DIR/placement.log"
  if pid_alive placement; then step placement "already running on 127.0.0.1:$PLACEMENT_PORT"; return; fi
  port_open "$PLACEMENT_PORT" && die placement "$log" "port $PLACEMENT_PORT is taken: stop the other placement (dapr uninstall?) or set PLACEMENT_PORT"
  mkdir -p "$DAPR_DATA/placement"
  step placement "starting on 127.0.0.1:$PLACEMENT_PORT"
  start_daemon placement "$log" "$DAPR_BIN_DIR/placement" --port "$PLACEMENT_PORT" --listen-address 127.0.0.1 \
    --healthz-port "$(port_at 58081)" --healthz-listen-address 127.0.0.1 --metrics-port "$(port_at 59091)" --metrics-listen-address 127.0.0.1 \
    --initial-cluster "dapr-placement-0=127.0.0.1:$(port_at 58201)" \
    --inmem-store-enabled=false --raft-logstore-path "$DAPR_DATA/placement"
  wait_until placement "$log" 30 "placement not healthy within 30s" curl -fsS "http://127.0.0.1:$(port_at 58081)/healthz"
}

start_scheduler() {
  local log="$LOG_DIR/scheduler.log"
  if pid_alive scheduler; then step scheduler "already running on 127.0.0.1:$SCHEDULER_PORT"; return; fi
  port_open "$SCHEDULER_PORT" && die scheduler "$log" "port $SCHEDULER_PORT is taken: stop the other scheduler or set SCHEDULER_PORT"
  mkdir -p "$DAPR_DATA/scheduler"
  step scheduler "starting on 127.0.0.1:$SCHEDULER_PORT (embedded etcd in $DAPR_DATA/scheduler)"
  start_daemon scheduler "$log" "$DAPR_BIN_DIR/scheduler" --port "$SCHEDULER_PORT" --listen-address 127.0.0.1 \
    --healthz-port "$(port_at 58082)" --healthz-listen-address 127.0.0.1 --metrics-port "$(port_at 59092)" --metrics-listen-address 127.0.0.1 \
    --etcd-data-dir "$DAPR_DATA/scheduler" --etcd-client-port "$(port_at 52379)" --etcd-client-listen-address 127.0.0.1 \
    --etcd-initial-cluster "dapr-scheduler-server-0=http://127.0.0.1:$(port_at 52380)" \
    --override-broadcast-host-port "127.0.0.1:$SCHEDULER_PORT"
  wait_until scheduler "$log" 60 "scheduler not healthy within 60s (etcd ports $(port_at 52379)/$(port_at 52380) taken?)" curl -fsS "http://127.0.0.1:$(port_at 58082)/healthz"
}
