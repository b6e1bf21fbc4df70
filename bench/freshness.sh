#!/usr/bin/env bash
# Freshness end to end (issue 14): on one embedded broker, examples flow onto the examples topic at a steady rate
# (Fashion-MNIST train in a loop; seeded random images without Debian's dataset-fashion-mnist) while the trainer job
# (Flink MiniCluster) trains the mlp spec and publishes, and serving answers a steady stream of requests. For every
# sampled example: the time from its produce timestamp to the first prediction served by a version that trained on it
# (the manifest's source_offsets say which offsets a version covered), so the wait for the next checkpoint counts.
# p50 and p99 per round of 20 versions; medians over rounds with their range; once with the trainer's default
# settings (--checkpoint-interval-ms 5000 --max-wait-ms 200) and once with the fast settings the README recommends
# (--checkpoint-interval-ms 500 --max-wait-ms 50). Details on stderr, exactly one line on stdout:
#   RESULT freshness_p50_ms=M[MIN..MAX] freshness_p99_ms=… fast_freshness_p50_ms=… fast_freshness_p99_ms=… rounds=N
#          versions_per_round=V
# Target (issue 14): fast_freshness_p99_ms < 2400.
#
# Run from the repository root on a fresh clone (it builds in the reactor, no install):
#   bench/freshness.sh [default|fast]...       (default: both; the default settings take about 2 minutes a round)
#   knobs: BENCH_OPTS="-Dbench.rounds=3 -Dbench.versions=20 -Dbench.rate=1000 -Dbench.requestRate=200
#          -Dbench.sampleEvery=10 -Dbench.fastCheckpointMs=500 -Dbench.fastMaxWaitMs=50"
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source "$ROOT/bench/build.sh"
bench_build app
bench_exec 3g io.streamlearn.bench.FreshnessBench "$@"
