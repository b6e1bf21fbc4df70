#!/usr/bin/env bash
# Serving benchmark on the embedded broker (issue 5): Kafka's own EndToEndLatency, request-to-prediction
# round trips at 1,000/s and 10,000/s, freshness over several swaps, and the maximum sustained
# predictions/s of the mlp spec. Prints details on stderr and exactly one RESULT line on stdout.
#
# Run from the repository root on a fresh clone (it builds in the reactor, no install). Tuning: BENCH_OPTS, e.g. BENCH_OPTS="-Dbench.seconds=10 -Dbench.backlog=400000".
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SPEC="${1:-$ROOT/specs/mlp.json}"
source "$ROOT/bench/build.sh"
bench_build serving

JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
# shellcheck disable=SC2086
# One libtorch intra-op thread: on a small shared host OpenMP's spinning pool oversubscribes the cores
# the broker, the sender and the receiver need (p50 at 1,000/s went from 63 ms to 7 ms here).
exec "$JAVA" -Xmx3g -XX:+UseParallelGC -Dai.djl.offline=true -Dai.djl.pytorch.num_interop_threads=1 \
  -Dai.djl.pytorch.num_threads=1 \
  -Dlog4j2.configurationFile="$ROOT/bench/serving-log4j2.properties" ${BENCH_OPTS:-} \
  -cp "$BENCH_CP" \
  io.streamlearn.serving.ServingBench "$SPEC"
