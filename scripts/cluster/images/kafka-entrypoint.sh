#!/bin/bash
# Apache Kafka in KRaft mode (one node, broker + controller) from the Maven Central artifacts.
#   nudge-kafka serve                      the broker on 9092, advertised as KAFKA_ADVERTISED_LISTENER
#                                          (host:port clients outside reach it by), and on
#                                          127.0.0.1:9094 for tools inside the container;
#                                          KAFKA_DATA_DIR, KAFKA_PARTITIONS, KAFKA_HEAP
#   nudge-kafka topics BROKER TOPIC…       create missing topics (KAFKA_PARTITIONS each), retrying
#                                          until the broker answers (BROKER: 127.0.0.1:9094 inside)
set -euo pipefail
run() { java ${KAFKA_HEAP:--Xms256m -Xmx768m} -Dlog4j2.configurationFile=/opt/kafka/log4j2.properties -cp '/opt/kafka/libs/*' "$@"; }
partitions="${KAFKA_PARTITIONS:-6}"
case "${1:-serve}" in
  serve)
    data="${KAFKA_DATA_DIR:-/var/lib/kafka/data}/kraft"
    mkdir -p "$data"
    cat >/tmp/server.properties <<CFG
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:9093
listeners=PLAINTEXT://0.0.0.0:9092,LOCAL://127.0.0.1:9094,CONTROLLER://127.0.0.1:9093
advertised.listeners=PLAINTEXT://${KAFKA_ADVERTISED_LISTENER:?KAFKA_ADVERTISED_LISTENER is required},LOCAL://127.0.0.1:9094
controller.listener.names=CONTROLLER
inter.broker.listener.name=LOCAL
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,LOCAL:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$data
auto.create.topics.enable=false
num.partitions=$partitions
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
CFG
    if [ ! -f "$data/meta.properties" ]; then
      # A cluster id is 16 random bytes in URL-safe base64 (what StorageTool random-uuid prints,
      # without starting a second JVM).
      cluster_id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
      # One word with its option: an id that begins with "-" (1 in 64) is otherwise read as an
      # option, the format fails and the broker never starts (StorageTool random-uuid itself
      # never prints such an id).
      run kafka.tools.StorageTool format --cluster-id="$cluster_id" --config /tmp/server.properties
    fi
    exec java ${KAFKA_HEAP:--Xms256m -Xmx768m} -Dlog4j2.configurationFile=/opt/kafka/log4j2.properties \
      -cp '/opt/kafka/libs/*' kafka.Kafka /tmp/server.properties ;;
  topics)
    broker=$2; shift 2
    for topic in "$@"; do
      until run org.apache.kafka.tools.TopicCommand --bootstrap-server "$broker" --create --if-not-exists \
        --topic "$topic" --partitions "$partitions" --replication-factor 1; do
        sleep 3
      done
    done ;;
  *) echo "usage: nudge-kafka serve | topics BROKER TOPIC…" >&2; exit 2 ;;
esac
