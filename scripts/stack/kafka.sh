# Kafka-protocol broker for the local stack: Redpanda when installed, otherwise Apache Kafka
# in KRaft mode from its Maven Central artifacts. Sourced by ./nudge.

KAFKA_PORT="${KAFKA_PORT:-$(port_at 19092)}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-$(port_at 19093)}"
KAFKA_TOPICS=(task-events task-updates reminders dlq-events)
KAFKA_PARTITIONS="${KAFKA_PARTITIONS:-6}"
KAFKA_HOME="$NUDGE_CACHE/kafka-$KAFKA_VERSION"
KAFKA_DATA="$NUDGE_CACHE/data/kafka"

broker_kind() { if command -v rpk >/dev/null && command -v redpanda >/dev/null; then echo redpanda; else echo kafka; fi; }

# A TCP connect is enough to call the port taken; readiness is checked with a metadata request.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

ensure_kafka_artifacts() {
  install_once kafka "$KAFKA_HOME/.nudge-resolved" "kafka_2.13 $KAFKA_VERSION" resolve_kafka_artifacts
}

resolve_kafka_artifacts() {
  command -v java >/dev/null || die kafka "-" "no JDK: apt-get install -y openjdk-17-jre-headless"
  command -v mvn >/dev/null || die kafka "-" "no Maven: apt-get install -y maven"
  local log="$LOG_DIR/kafka-resolve.log"
  step kafka "resolving org.apache.kafka:kafka_2.13:$KAFKA_VERSION and its runtime dependencies from Maven Central"
  rm -rf "$KAFKA_HOME/libs"
  with_progress "kafka: maven" "$log" mvn -B -ntp -f "$NUDGE_ROOT/scripts/stack/kafka/pom.xml" \
    -Dmaven.repo.local="$NUDGE_CACHE/m2" -Dkafka.version="$KAFKA_VERSION" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$KAFKA_HOME/libs" ||
    die kafka "$log" "Maven could not resolve the Kafka artifacts (is Maven Central reachable?)"
}

kafka_java() { "${KAFKA_JAVA[@]}" "$@"; }
KAFKA_JAVA=(java -Xms256m -Xmx768m -Dlog4j2.configurationFile="$NUDGE_ROOT/scripts/stack/kafka/log4j2.properties" -cp "$KAFKA_HOME/libs/*")

write_kafka_config() {
  cat >"$KAFKA_DATA/server.properties" <<CFG
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$KAFKA_DATA/logs
# Topics are created explicitly (see KAFKA_TOPICS); a typo must fail, not invent a topic.
auto.create.topics.enable=false
num.partitions=$KAFKA_PARTITIONS
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.hours=168
CFG
}

start_kafka() {
  local log="$LOG_DIR/kafka.log"
  if daemon_up kafka; then
    step kafka "already running on 127.0.0.1:$KAFKA_PORT (pid $(cat "$RUN_DIR/kafka.pid" 2>/dev/null))"
    create_topics # a start that timed out may not have got that far
    return
  fi
  port_open "$KAFKA_PORT" && die kafka "$log" "port $KAFKA_PORT is taken by another process: stop it or set KAFKA_PORT"
  if [ "$(broker_kind)" = redpanda ]; then start_redpanda; return; fi
  ensure_kafka_artifacts
  mkdir -p "$KAFKA_DATA"
  write_kafka_config
  if [ ! -f "$KAFKA_DATA/logs/meta.properties" ]; then
    step kafka "formatting KRaft storage in $KAFKA_DATA"
    kafka_java kafka.tools.StorageTool format --cluster-id "$(kafka_java kafka.tools.StorageTool random-uuid)" \
      --config "$KAFKA_DATA/server.properties" >>"$LOG_DIR/kafka-format.log" 2>&1 ||
      die kafka "$LOG_DIR/kafka-format.log" "could not format KRaft storage (delete $KAFKA_DATA and retry)"
  fi
  step kafka "starting Apache Kafka $KAFKA_VERSION (KRaft) on 127.0.0.1:$KAFKA_PORT"
  start_daemon kafka "$log" "${KAFKA_JAVA[@]}" kafka.Kafka "$KAFKA_DATA/server.properties"
  wait_until kafka "$log" 60 "broker not ready within 60s (low memory? port $KAFKA_CONTROLLER_PORT taken?)" \
    grep -q "Kafka Server started" "$log"
  create_topics
}

start_redpanda() {
  local log="$LOG_DIR/kafka.log"
  mkdir -p "$KAFKA_DATA/redpanda"
  step kafka "starting Redpanda on 127.0.0.1:$KAFKA_PORT"
  start_daemon kafka "$log" redpanda --redpanda-cfg /dev/null -- --smp 1 --memory 1G --overprovisioned \
    --unsafe-bypass-fsync=1 --default-log-level=warn \
    "--redpanda.data_directory=$KAFKA_DATA/redpanda" \
    "--redpanda.kafka_api=[{address: 127.0.0.1, port: $KAFKA_PORT}]" \
    "--redpanda.rpc_server={address: 127.0.0.1, port: $KAFKA_CONTROLLER_PORT}" \
    --redpanda.auto_create_topics_enabled=false
  wait_until kafka "$log" 60 "Redpanda not ready within 60s" rpk cluster health -X "brokers=127.0.0.1:$KAFKA_PORT" --exit-when-healthy
  create_topics
}

create_topics() {
  local stamp="$KAFKA_DATA/.topics" want="${KAFKA_TOPICS[*]}/$KAFKA_PARTITIONS"
  [ "$(cat "$stamp" 2>/dev/null)" = "$want" ] && return
  local t log="$LOG_DIR/kafka-topics.log"
  for t in "${KAFKA_TOPICS[@]}"; do
    step kafka "creating topic $t ($KAFKA_PARTITIONS partitions)"
    if [ "$(broker_kind)" = redpanda ]; then
      rpk topic create "$t" -p "$KAFKA_PARTITIONS" -X "brokers=127.0.0.1:$KAFKA_PORT" >>"$log" 2>&1 || true
    else
      kafka_java org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" --create --if-not-exists \
        --topic "$t" --partitions "$KAFKA_PARTITIONS" --replication-factor 1 >>"$log" 2>&1 ||
        die kafka "$log" "could not create topic $t"
    fi
  done
  echo "$want" >"$stamp"
}
