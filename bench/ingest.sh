#!/usr/bin/env bash
# Ingest throughput against Kafka's own ProducerPerformance, in one run on one embedded broker:
# Fashion-MNIST train (60,000 records) through `Ingestor` (read, validate, encode, send), then
# ProducerPerformance with the same record count, value size and producer settings, alternating, after one warm-up
# round each. Medians over the rounds with their range (the ratio taken per round); exactly one line on stdout
# (details on stderr):
#   RESULT ingest_records_per_s=M[MIN..MAX] kafka_perf_records_per_s=… ratio=… rounds=N
#
# Run from the repository root on a fresh clone (it builds in the reactor, no install):
#   bench/ingest.sh [SOURCE] [ROUNDS]      (default: idx:fashion-mnist/train 5)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source "$ROOT/bench/build.sh"
# The `bench` profile adds Kafka's ProducerPerformance (kafka-tools); the first run downloads it once.
bench_build ingest -Pbench

# bench_exec's logging keeps stdout for the RESULT line (the test logging printed the broker's first lines there).
bench_exec 2g io.streamlearn.ingest.bench.IngestBenchmark "$@"
