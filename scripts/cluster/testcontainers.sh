# The Testcontainers path of the integration harness (packages/testing/src/containers.ts) on a
# machine without Docker or a registry: podman's Docker-compatible API, and PostgreSQL and
# Apache Kafka images built from Debian packages and the Maven Central artifacts (images.sh).
# Ryuk's image cannot be had here, so it is off and the run removes its own containers; ports
# are published on 127.0.0.1 only and Testcontainers connects there. Sourced by ./nudge.

PODMAN_API_SOCK="$RUN_DIR/podman-api.sock"

ensure_testcontainers_engine() {
  if [ -n "${DOCKER_HOST:-}" ] || [ -S /var/run/docker.sock ]; then
    step testcontainers "using the Docker engine at ${DOCKER_HOST:-unix:///var/run/docker.sock} (images from their registries)"
    return
  fi
  command -v podman >/dev/null || die testcontainers "-" "no Docker engine and no podman: apt-get install podman buildah mmdebstrap"
  podman_env
  mkdir -p "$CLUSTER_LOGS"
  with_images_lock testcontainers_images
  if ! pid_alive podman-api; then
    step testcontainers "podman system service on $PODMAN_API_SOCK (Docker API for Testcontainers)"
    rm -f "$PODMAN_API_SOCK"
    start_daemon podman-api "$LOG_DIR/podman-api.log" podman system service --time=0 "unix://$PODMAN_API_SOCK"
    wait_until podman-api "$LOG_DIR/podman-api.log" 30 "podman's API did not answer within 30s" \
      curl -fsS --unix-socket "$PODMAN_API_SOCK" http://podman/_ping
  fi
  export DOCKER_HOST="unix://$PODMAN_API_SOCK" TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1 \
    NUDGE_TEST_POSTGRES_IMAGE="$POSTGRES_IMAGE" NUDGE_TEST_KAFKA_IMAGE="$KAFKA_IMAGE"
  step testcontainers "podman $(podman version --format '{{.Server.Version}}' 2>/dev/null), images $POSTGRES_IMAGE and $KAFKA_IMAGE, Ryuk off, ports on 127.0.0.1"
}

testcontainers_images() { ensure_base_images && ensure_postgres_image && ensure_kafka_image; }

# What Ryuk would have done: every container Testcontainers started, gone.
remove_testcontainers() {
  pid_alive podman-api || return 0
  podman_env
  local ids; ids=$(podman ps -aq --filter label=org.testcontainers=true 2>/dev/null || true)
  [ -z "$ids" ] || podman rm -f $ids >/dev/null 2>&1 || true
}

stop_testcontainers_engine() {
  remove_testcontainers
  stop_daemon podman-api
  rm -f "$PODMAN_API_SOCK"
}
