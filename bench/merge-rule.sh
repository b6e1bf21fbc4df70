#!/usr/bin/env bash
# The optimizer-state rule of data-parallel training, measured: two learners on alternate batches of
# Fashion-MNIST train (Debian's dataset-fashion-mnist), merged every K batches each as a job at
# --parallelism 2 merges at a checkpoint, with the optimizer state reset or taken from the subtask
# that trained the most; one learner alone for reference; test accuracy on t10k. Prints:
#   RESULT examples=... merge_every_batches=... single_acc=... reset_acc=... heaviest_acc=...
#
# Run from the repository root:  bench/merge-rule.sh [EXAMPLES [K]] (default: 60000 10)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source "$ROOT/bench/build.sh"
bench_build app
bench_exec 8g io.streamlearn.bench.MergeRuleBench "$@"
