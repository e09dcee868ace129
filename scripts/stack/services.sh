# Nudge's services on the local stack, each with its own daprd. Sourced by ./nudge.

TASK_API_PORT="${TASK_API_PORT:-$(port_at 3000)}"
NOTIFICATION_SERVICE_PORT="${NOTIFICATION_SERVICE_PORT:-$(port_at 3001)}"
RECURRENCE_SERVICE_PORT="${RECURRENCE_SERVICE_PORT:-$(port_at 3002)}"
AUDIT_SERVICE_PORT="${AUDIT_SERVICE_PORT:-$(port_at 3003)}"
REALTIME_GATEWAY_PORT="${REALTIME_GATEWAY_PORT:-$(port_at 3004)}"
MAIL_CAPTURE_PORT="${MAIL_CAPTURE_PORT:-$(port_at 4010)}"
TASK_API_METRICS_PORT="${TASK_API_METRICS_PORT:-$(port_at 9464)}" # Prometheus, apart from the public port
# Development identity settings: tokens for them come from `./nudge token <user>`.
NUDGE_DEV_JWT_SECRET="${NUDGE_DEV_JWT_SECRET:-local-development-secret-change-me-0123456789}"
NUDGE_DEV_JWT_ISSUER="${NUDGE_DEV_JWT_ISSUER:-nudge-local}"
NUDGE_DEV_JWT_AUDIENCE="${NUDGE_DEV_JWT_AUDIENCE:-nudge-api}"
NUDGE_DEV_APP_TOKEN="${NUDGE_DEV_APP_TOKEN:-local-app-token-0123456789abcdef}"
NUDGE_DEV_OPERATOR_TOKEN="${NUDGE_DEV_OPERATOR_TOKEN:-local-operator-token-0123456789}"
NUDGE_DEV_EMAIL_LINK_KEY="${NUDGE_DEV_EMAIL_LINK_KEY:-local-email-link-key-change-me-0123456789}"

# name | app port | dapr http | dapr grpc | dapr internal grpc | dapr metrics
SERVICE_TABLE=(
  "task-api $TASK_API_PORT $(port_at 3500) $(port_at 50001) $(port_at 50011) $(port_at 59101)"
  "notification-service $NOTIFICATION_SERVICE_PORT $(port_at 3501) $(port_at 50002) $(port_at 50012) $(port_at 59102)"
  "recurrence-service $RECURRENCE_SERVICE_PORT $(port_at 3502) $(port_at 50003) $(port_at 50013) $(port_at 59103)"
  # Placement and scheduler hold 50005 and 50006: the next services' gRPC ports skip them.
  "audit-service $AUDIT_SERVICE_PORT $(port_at 3503) $(port_at 50007) $(port_at 50017) $(port_at 59104)"
  # realtime-gateway: its daprd gets POD_NAME=realtime-gateway-local (start_service), which names
  # its consumer group on pubsub-live (dapr/components/pubsub-live.yaml).
  "realtime-gateway $REALTIME_GATEWAY_PORT $(port_at 3504) $(port_at 50008) $(port_at 50018) $(port_at 59105)"
)

service_env() { # NAME APP_PORT DAPR_HTTP DAPR_GRPC — the environment a service process runs with
  cat <<ENV
PORT=$2
HOST=127.0.0.1
DATABASE_URL=$(postgres_url)
DAPR_HTTP_PORT=$3
DAPR_GRPC_PORT=$4
APP_API_TOKEN=$NUDGE_DEV_APP_TOKEN
JWT_SECRET=$NUDGE_DEV_JWT_SECRET
JWT_ISSUER=$NUDGE_DEV_JWT_ISSUER
JWT_AUDIENCE=$NUDGE_DEV_JWT_AUDIENCE
PUBLIC_BASE_URL=http://127.0.0.1:$2
ENV
  case "$1" in
    task-api) cat <<ENV
METRICS_PORT=$TASK_API_METRICS_PORT
OPERATOR_TOKEN=$NUDGE_DEV_OPERATOR_TOKEN
EMAIL_LINK_KEY=$NUDGE_DEV_EMAIL_LINK_KEY
ENV
    ;;
    notification-service) cat <<ENV
OPERATOR_TOKEN=$NUDGE_DEV_OPERATOR_TOKEN
RESEND_API_KEY=re_local_capture
RESEND_BASE_URL=http://127.0.0.1:$MAIL_CAPTURE_PORT
ENV
    ;;
    audit-service) echo "OPERATOR_TOKEN=$NUDGE_DEV_OPERATOR_TOKEN" ;;
  esac
}

# The local stand-in for Resend's API: the real SDK, aimed at a server that captures the mail.
start_mail_capture() {
  local log="$LOG_DIR/mail-capture.log"
  if daemon_up mail-capture; then step mail-capture "already running: http://127.0.0.1:$MAIL_CAPTURE_PORT"; return; fi
  port_open "$MAIL_CAPTURE_PORT" && die mail-capture "$log" "port $MAIL_CAPTURE_PORT is taken: set MAIL_CAPTURE_PORT"
  step mail-capture "starting the Resend capture server on http://127.0.0.1:$MAIL_CAPTURE_PORT"
  start_daemon mail-capture "$log" env "PORT=$MAIL_CAPTURE_PORT" HOST=127.0.0.1 bun "$NUDGE_ROOT/packages/mail-capture/src/main.ts"
  wait_until mail-capture "$log" 20 "the capture server did not answer" curl -fsS "http://127.0.0.1:$MAIL_CAPTURE_PORT/emails"
}

start_service() { # NAME APP_PORT DAPR_HTTP DAPR_GRPC DAPR_INTERNAL DAPR_METRICS
  local name=$1 port=$2 log="$LOG_DIR/$1.log"
  if daemon_up "$name" && daemon_up "daprd-$name"; then step "$name" "already running on http://127.0.0.1:$port"; return; fi
  stop_daemon "$name"; stop_daemon "daprd-$name"
  local env_lines; mapfile -t env_lines < <(service_env "$@")
  # Who may invoke this app through Dapr (access control), on top of the shared configuration.
  local access=(); [ -f "$NUDGE_ROOT/dapr/access-control/$name.yaml" ] && access=(--config "dapr/access-control/$name.yaml")
  if [ -f "$NUDGE_ROOT/services/$name/src/migrate.ts" ]; then
    step "$name" "migrating its schema"
    env "${env_lines[@]}" bun "$NUDGE_ROOT/services/$name/src/migrate.ts" >>"$log" 2>&1 ||
      die "$name" "$log" "migrations failed (is PostgreSQL up? see the log)"
  fi
  port_open "$port" && die "$name" "$log" "port $port is taken: stop the other process or set ${name^^}_PORT"
  step "$name" "starting on http://127.0.0.1:$port with its sidecar (dapr http $3, grpc $4)"
  start_daemon "$name" "$log" env "${env_lines[@]}" bun "$NUDGE_ROOT/services/$name/src/main.ts"
  (cd "$NUDGE_ROOT" && start_daemon "daprd-$name" "$LOG_DIR/daprd-$name.log" env \
    "NUDGE_DAPR_KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT" "NUDGE_DAPR_STATE_PG=$(postgres_url)" "APP_API_TOKEN=$NUDGE_DEV_APP_TOKEN" \
    "POD_NAME=$name-local" "DAPR_TRUST_ANCHORS=$(cat "$DAPR_TRUST_ANCHORS_FILE")" \
    "NUDGE_NAME_RESOLUTION_DB=$DAPR_DATA/nameresolution.db" "$DAPR_BIN_DIR/daprd" --app-id "$name" --app-port "$port" --app-protocol http --app-channel-address 127.0.0.1 \
    --dapr-http-port "$3" --dapr-grpc-port "$4" --dapr-internal-grpc-port "$5" --metrics-port "$6" \
    --dapr-listen-addresses 127.0.0.1 --resources-path dapr/components --resources-path dapr/subscriptions \
    --config dapr/config.yaml "${access[@]}" \
    --placement-host-address "127.0.0.1:$PLACEMENT_PORT" --scheduler-host-address "127.0.0.1:$SCHEDULER_PORT" \
    --enable-mtls --sentry-address "127.0.0.1:$SENTRY_PORT" --log-as-json)
  wait_until "$name" "$log" 60 "$name did not become ready within 60s (see also $LOG_DIR/daprd-$name.log)" \
    curl -fsS "http://127.0.0.1:$port/readyz"
}

start_services() { local row; start_mail_capture; for row in "${SERVICE_TABLE[@]}"; do start_service $row; done; }
# The sidecars first, so that each drains what it is delivering to its app (Dapr's graceful
# shutdown) while the app still answers; then the apps. Each group at once: one by one, five
# sidecars' shutdown windows add up.
stop_services() {
  local row names=()
  for row in "${SERVICE_TABLE[@]}"; do names+=("${row%% *}"); done
  stop_daemons "${names[@]/#/daprd-}"
  stop_daemons "${names[@]}" mail-capture
}
