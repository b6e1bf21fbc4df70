#!/usr/bin/env bash
# Ingest throughput against Kafka's own ProducerPerformance, in one run on one embedded broker:
# Fashion-MNIST train (60,000 records) through `Ingestor` (read, validate, encode, send), then
# ProducerPerformance with the same record count, value size and producer settings. Prints exactly one
# line `RESULT ingest_records_per_s=... kafka_perf_records_per_s=... ratio=...` on stdout (details on stderr).
#
# Run from the repository root after `./mvnw -q install -DskipTests`:
#   bench/ingest.sh [SOURCE] [ROUNDS]      (default: idx:fashion-mnist/train 5)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
CP_FILE="$ROOT/ingest/target/ingest-bench-classpath.txt"
MVN=("$ROOT/mvnw" -B -q -Pbench -pl ingest test-compile dependency:build-classpath
     -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=test)
# Offline first; the first run downloads kafka-tools (the `bench` profile) once.
"${MVN[@]}" -o >/dev/null 2>&1 || "${MVN[@]}" >&2

JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
exec "$JAVA" -Xmx2g -XX:+UseParallelGC \
  -Dlog4j2.configurationFile="$ROOT/src/test/resources/log4j2-test.properties" \
  -cp "$ROOT/ingest/target/test-classes:$ROOT/ingest/target/classes:$(cat "$CP_FILE")" \
  io.streamlearn.ingest.bench.IngestBenchmark "$@"
