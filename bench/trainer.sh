#!/usr/bin/env bash
# Trainer throughput and accuracy on Fashion-MNIST (Debian's dataset-fashion-mnist): one pass of the
# train set in stream order through the Flink job, against a bare in-memory DJL loop of the same
# model in the same run; test accuracy on t10k. Prints one line per spec:
#   RESULT spec=... trainer_examples_per_s=... inmemory_examples_per_s=... ratio=... prequential_acc=... test_acc=...
#
# Run from the repository root:  bench/trainer.sh [SPEC ...] (default: mlp lenet5)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source "$ROOT/bench/build.sh"
bench_build app
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
SPECS=("$@")
[[ ${#SPECS[@]} -eq 0 ]] && SPECS=(mlp lenet5)
for spec in "${SPECS[@]}"; do
  "$JAVA" -Xmx8g -XX:+UseParallelGC -Dai.djl.offline=true ${BENCH_JAVA_OPTS:-} \
    -Dlog4j2.configurationFile="$ROOT/src/test/resources/log4j2-test.properties" -Dlog4j2.level=WARN \
    -cp "$BENCH_CP" \
    io.streamlearn.bench.TrainerBench "$spec"
done
