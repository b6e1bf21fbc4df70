#!/usr/bin/env bash
# Trainer throughput and accuracy on Fashion-MNIST (Debian's dataset-fashion-mnist): one pass of the train set in
# stream order through the Flink job, against a bare in-memory DJL loop of the same model and, when a python3 here
# imports torch (Debian's python3-torch), the same network, optimizer, batch and libtorch thread count in PyTorch
# (bench/gpu_torch.py), all in the same run; test accuracy on t10k. Several rounds of each (a fresh job per round);
# medians with their range [min..max]. Details on stderr; one line per spec on stdout:
#   RESULT spec=... trainer_examples_per_s=M[MIN..MAX] inmemory_examples_per_s=M[MIN..MAX]
#          torch_examples_per_s=M[MIN..MAX]|none ratio=JOB/BARE vs_pytorch=JOB/TORCH|none prequential_acc=... test_acc=...
#
# Run from the repository root on a fresh clone (it builds in the reactor, no install):
#   bench/trainer.sh [SPEC ...]     (default: mlp lenet5)
#   knobs: BENCH_ROUNDS=3, BENCH_PYTHON=/path/to/python3, BENCH_JAVA_OPTS (e.g. -Dbench.checkpoint.ms=1000)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source "$ROOT/bench/build.sh"
bench_python
if [[ -z "$BENCH_PYTHON_TORCH" ]]; then
  echo "trainer.sh: no python3 here imports torch, so no PyTorch reference (vs_pytorch=none);" \
    "for one: sudo apt-get install python3-torch" >&2
fi
bench_build app
SPECS=("$@")
[[ ${#SPECS[@]} -eq 0 ]] && SPECS=(mlp lenet5)
for spec in "${SPECS[@]}"; do
  # A subshell per spec: bench_exec replaces the shell it runs in.
  # shellcheck disable=SC2086
  (bench_exec 8g -Dbench.rounds="${BENCH_ROUNDS:-3}" -Dbench.python="$BENCH_PYTHON_TORCH" \
    -Dbench.torchScript="$ROOT/bench/gpu_torch.py" ${BENCH_JAVA_OPTS:-} io.streamlearn.bench.TrainerBench "$spec")
done
