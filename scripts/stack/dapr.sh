# Dapr runtime: daprd, placement, scheduler, sentry in the `dapr init` layout.
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

# The runtime and the control plane the local stack and the tests run: sentry is the certificate
# authority that gives every sidecar its mTLS identity (what Dapr's access control reads).
DAPR_BINARIES=(daprd placement scheduler sentry)

dapr_build_id() { echo "dapr $DAPR_VERSION; ${DAPR_COMPONENTS[*]}"; }

# dapr_missing DIR — the binaries DIR lacks, one per line.
dapr_missing() { local b; for b in "${DAPR_BINARIES[@]}"; do [ -x "$1/$b" ] || echo "$b"; done; }

ensure_dapr() {
  if [ -z "$(dapr_missing "$HOME/.dapr/bin")" ] && [ "$DAPR_BIN_DIR" = "$NUDGE_CACHE/.dapr/bin" ] && [ -z "${NUDGE_BUILD_DAPR:-}" ]; then
    DAPR_BIN_DIR="$HOME/.dapr/bin"
    step dapr "using the installed runtime in $DAPR_BIN_DIR ($("$DAPR_BIN_DIR/daprd" --version 2>/dev/null))"
    return
  fi
  if [ -n "$DAPR_BIN_DIR_GIVEN" ] && [ -z "$(dapr_missing "$DAPR_BIN_DIR")" ] && [ -z "${NUDGE_BUILD_DAPR:-}" ]; then
    step dapr "using the runtime in DAPR_BIN_DIR=$DAPR_BIN_DIR"
    return
  fi
  # A binary gone from under a matching stamp (removed by hand) is built again.
  [ -z "$(dapr_missing "$DAPR_BIN_DIR")" ] || rm -f "$DAPR_BIN_DIR/.nudge-build"
  install_once dapr "$DAPR_BIN_DIR/.nudge-build" "$(dapr_build_id)" build_dapr
  step dapr "runtime $DAPR_VERSION ready in $DAPR_BIN_DIR"
}

build_dapr() {
  local src="$NUDGE_CACHE/src/dapr-$DAPR_VERSION"
  command -v go >/dev/null || die dapr "-" "no Go toolchain on PATH: install Go ≥ 1.26 (apt-get install golang or the Go module proxy's toolchain)"
  local log="$LOG_DIR/dapr-build.log" start=$SECONDS
  : >"$log"
  # The pruned copy of the module has a stamp of its own: a copy a killed process left half
  # made, or one of another version or component set, is made again.
  if [ "$(cat "$src/.nudge-prepared" 2>/dev/null)" != "$(dapr_build_id)" ]; then
    step dapr "downloading github.com/dapr/dapr@v$DAPR_VERSION through the Go module proxy"
    local moddir
    moddir=$(go mod download -json "github.com/dapr/dapr@v$DAPR_VERSION" 2>>"$log" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
    [ -d "$moddir" ] || die dapr "$log" "the Go module proxy did not serve dapr v$DAPR_VERSION (check GOPROXY and the network)"
    # go.mod carries replace directives, so `go install …@version` refuses; build inside a copy.
    rm -rf "$src" && mkdir -p "$(dirname "$src")" && cp -r "$moddir" "$src" && chmod -R u+w "$src"
    local keep f name c
    for f in "$src"/cmd/daprd/components/*.go; do
      name=$(basename "$f" .go); keep=
      for c in "${DAPR_COMPONENTS[@]}"; do [ "$name" = "$c" ] && keep=1; done
      [ -n "$keep" ] || rm "$f"
    done
    dapr_build_id >"$src/.nudge-prepared"
  fi
  local ldflags="-s -w -X github.com/dapr/dapr/pkg/buildinfo.version=$DAPR_VERSION" bin
  mkdir -p "$DAPR_BIN_DIR"
  # One go build for all of them: the packages they share compile once, and one links while
  # the next compiles. Built beside their place and renamed into it one by one, so a running
  # stack never sees half a binary.
  local tmp="$DAPR_BIN_DIR/.new" pkgs=()
  for bin in "${DAPR_BINARIES[@]}"; do pkgs+=("./cmd/$bin"); done
  rm -rf "$tmp" && mkdir -p "$tmp"
  step dapr "building ${DAPR_BINARIES[*]} in one go build (first build downloads its modules and takes several minutes; log: $log)"
  with_progress "dapr: go build" "$log.build" \
    bash -c "cd '$src' && go build -v -tags allcomponents -trimpath -ldflags '$ldflags' -o '$tmp/' ${pkgs[*]}" ||
    { cat "$log.build" >>"$log"; die dapr "$log" "go build of ${DAPR_BINARIES[*]} failed (disk space? Go ≥ 1.26.6? module proxy reachable?)"; }
  for bin in "${DAPR_BINARIES[@]}"; do mv -f "$tmp/$bin" "$DAPR_BIN_DIR/$bin"; done
  rm -rf "$tmp"
  cat "$log.build" >>"$log"; rm -f "$log.build"
  step dapr "built ${DAPR_BINARIES[*]} $DAPR_VERSION in $((SECONDS - start))s"
}

PLACEMENT_PORT="${PLACEMENT_PORT:-$(port_at 50005)}"
SCHEDULER_PORT="${SCHEDULER_PORT:-$(port_at 50006)}"
SENTRY_PORT="${SENTRY_PORT:-$(port_at 50010)}"
DAPR_DATA="$NUDGE_CACHE/data"
# Sentry's root certificate and issuer, generated on its first start and kept with the data.
SENTRY_CREDENTIALS="$DAPR_DATA/sentry"
DAPR_TRUST_ANCHORS_FILE="$SENTRY_CREDENTIALS/ca.crt"
# What placement and the scheduler need to get their identity from sentry and serve mTLS.
CONTROL_PLANE_TLS=(--tls-enabled --trust-anchors-file "$DAPR_TRUST_ANCHORS_FILE" --sentry-address "127.0.0.1:$SENTRY_PORT")

# A placement or scheduler left running by an older ./nudge serves plain gRPC, which sidecars with
# mTLS cannot reach: such a one is restarted. (start_daemon writes the command line atop the log.)
started_with_tls() { head -1 "$LOG_DIR/$1.log" 2>/dev/null | grep -q -- --tls-enabled; }

start_sentry() {
  local log="$LOG_DIR/sentry.log"
  if daemon_up sentry; then step sentry "already running on 127.0.0.1:$SENTRY_PORT"; return; fi
  port_open "$SENTRY_PORT" && die sentry "$log" "port $SENTRY_PORT is taken: stop the other sentry or set SENTRY_PORT"
  mkdir -p "$SENTRY_CREDENTIALS"
  step sentry "starting the certificate authority on 127.0.0.1:$SENTRY_PORT (credentials in $SENTRY_CREDENTIALS)"
  start_daemon sentry "$log" "$DAPR_BIN_DIR/sentry" --issuer-credentials "$SENTRY_CREDENTIALS" --config "$NUDGE_ROOT/dapr/sentry.yaml" \
    --port "$SENTRY_PORT" --listen-address 127.0.0.1 --healthz-port "$(port_at 58083)" --healthz-listen-address 127.0.0.1 \
    --metrics-port "$(port_at 59093)" --metrics-listen-address 127.0.0.1
  wait_until sentry "$log" 30 "sentry not healthy within 30s" curl -fsS "http://127.0.0.1:$(port_at 58083)/healthz"
}

start_placement() {
  local log="$LOG_DIR/placement.log"
  if daemon_up placement && started_with_tls placement; then step placement "already running on 127.0.0.1:$PLACEMENT_PORT"; return; fi
  stop_daemon placement
  port_open "$PLACEMENT_PORT" && die placement "$log" "port $PLACEMENT_PORT is taken: stop the other placement (dapr uninstall?) or set PLACEMENT_PORT"
  mkdir -p "$DAPR_DATA/placement"
  step placement "starting on 127.0.0.1:$PLACEMENT_PORT"
  start_daemon placement "$log" "$DAPR_BIN_DIR/placement" --port "$PLACEMENT_PORT" --listen-address 127.0.0.1 \
    --healthz-port "$(port_at 58081)" --healthz-listen-address 127.0.0.1 --metrics-port "$(port_at 59091)" --metrics-listen-address 127.0.0.1 \
    --initial-cluster "dapr-placement-0=127.0.0.1:$(port_at 58201)" \
    --inmem-store-enabled=false --raft-logstore-path "$DAPR_DATA/placement" "${CONTROL_PLANE_TLS[@]}"
  wait_until placement "$log" 30 "placement not healthy within 30s" curl -fsS "http://127.0.0.1:$(port_at 58081)/healthz"
}

start_scheduler() {
  local log="$LOG_DIR/scheduler.log"
  if daemon_up scheduler && started_with_tls scheduler; then step scheduler "already running on 127.0.0.1:$SCHEDULER_PORT"; return; fi
  stop_daemon scheduler
  port_open "$SCHEDULER_PORT" && die scheduler "$log" "port $SCHEDULER_PORT is taken: stop the other scheduler or set SCHEDULER_PORT"
  # Where it writes its mTLS identity (versioned folders beside a "current" symlink it swaps).
  mkdir -p "$DAPR_DATA/scheduler" "$DAPR_DATA/scheduler-identity"
  step scheduler "starting on 127.0.0.1:$SCHEDULER_PORT (embedded etcd in $DAPR_DATA/scheduler)"
  start_daemon scheduler "$log" "$DAPR_BIN_DIR/scheduler" --port "$SCHEDULER_PORT" --listen-address 127.0.0.1 \
    --healthz-port "$(port_at 58082)" --healthz-listen-address 127.0.0.1 --metrics-port "$(port_at 59092)" --metrics-listen-address 127.0.0.1 \
    --etcd-data-dir "$DAPR_DATA/scheduler" --etcd-client-port "$(port_at 52379)" --etcd-client-listen-address 127.0.0.1 \
    --etcd-initial-cluster "dapr-scheduler-server-0=http://127.0.0.1:$(port_at 52380)" \
    --override-broadcast-host-port "127.0.0.1:$SCHEDULER_PORT" "${CONTROL_PLANE_TLS[@]}" \
    --identity-directory-write "$DAPR_DATA/scheduler-identity/current"
  wait_until scheduler "$log" 60 "scheduler not healthy within 60s (etcd ports $(port_at 52379)/$(port_at 52380) taken?)" curl -fsS "http://127.0.0.1:$(port_at 58082)/healthz"
}
