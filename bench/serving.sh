#!/usr/bin/env bash
# Serving benchmark on the embedded broker (issues 5 and 14). Each round, with the same Kafka clients and the same
# serving profile: a plain produce->consume hop at 1,000 requests/s (the reference), the request->prediction round
# trip at 1,000/s (a 20 s steady window) and 10,000/s, the swap delay (announcement -> first prediction of the new
# version), and the maximum predictions/s draining a backlog against a bare pipe that drains the same requests with
# our codecs and no model, and the model alone (no Kafka); the maximum and the model alone also with
# `serve --precision bfloat16`, and how often its top-1 class is float32's. Medians over the rounds with their
# range; details on stderr, exactly one line on stdout:
#   RESULT profile=latency p50_ms=M[MIN..MAX] p99_ms=… own_hop_p99_ms=… p99_vs_own_two_hops=… p99_10k_ms=…
#          max_per_s=… pipe_per_s=… max_vs_pipe=… max_bf16_per_s=… max_bf16_vs_pipe=… model_only_per_s=…
#          model_only_bf16_per_s=… bf16_top1_agree=… swap_p99_ms=… rounds=N
# Targets (issue 14): p99_vs_own_two_hops <= 2, max_vs_pipe >= 0.8, swap_p99_ms < 500.
#
# Run from the repository root on a fresh clone (it builds in the reactor, no install):
#   bench/serving.sh [SPEC_JSON]     (default specs/mlp.json)
#   knobs: BENCH_OPTS="-Dbench.rounds=3 -Dbench.seconds=20 -Dbench.seconds10k=5 -Dbench.backlog=400000
#          -Dbench.swaps=5 -Dbench.profile=latency|throughput -Dbench.maxBatch=256"
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SPEC="${1:-$ROOT/specs/mlp.json}"
source "$ROOT/bench/build.sh"
bench_build serving

# One libtorch intra-op thread: on a small shared host OpenMP's spinning pool oversubscribes the cores
# the broker, the sender and the receiver need (p50 at 1,000/s went from 63 ms to 7 ms here).
bench_exec 3g -Dai.djl.pytorch.num_threads=1 io.streamlearn.serving.ServingBench "$SPEC"
