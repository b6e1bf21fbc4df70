#!/bin/sh
# Creates the streamlearn topics as io.streamlearn.core.kafka.Topics#createAll does: the data topics
# (examples, requests, predictions, predictions.shadow) with PARTITIONS partitions, the rest with one, and the models
# topic compacted (key = model name, one manifest per model). Safe to run again.
set -eu
BOOTSTRAP_SERVER=${BOOTSTRAP_SERVER:-kafka:9092}
TOPIC_PREFIX=${TOPIC_PREFIX-streamlearn.}
PARTITIONS=${PARTITIONS:-4}
REPLICATION_FACTOR=${REPLICATION_FACTOR:-1}

# create NAME PARTITIONS [more kafka-topics.sh options]
create() {
  name=$1 partitions=$2
  shift 2
  /opt/kafka/bin/kafka-topics.sh --bootstrap-server "$BOOTSTRAP_SERVER" --create --if-not-exists \
    --topic "$TOPIC_PREFIX$name" --partitions "$partitions" --replication-factor "$REPLICATION_FACTOR" "$@"
}

create examples "$PARTITIONS"
create examples.dlq 1
create models 1 --config cleanup.policy=compact
create requests "$PARTITIONS"
create predictions "$PARTITIONS"
create predictions.shadow "$PARTITIONS"
create predictions.dlq 1
create predictions.shadow "$PARTITIONS"
create feedback 1
create feedback.dlq 1
create events 1
echo "kafka-init: streamlearn topics (prefix '$TOPIC_PREFIX') exist on $BOOTSTRAP_SERVER"
