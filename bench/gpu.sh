#!/usr/bin/env bash
# GPU check (issue 13 item 5), no Kafka and no Flink: the trainer's OnlineLearner trains the mlp spec (batch 128,
# Adam 1e-3, test-then-train) on Fashion-MNIST train in memory (seeded synthetic 784-pixel images when Debian's
# dataset-fashion-mnist is missing), on GPU 0 when DJL sees one, else on the CPU with a line saying no GPU was
# found; then the same network, optimizer, batch and step in PyTorch on the same device (bench/gpu_torch.py)
# when a python3 here imports torch. Medians over rounds after a warm-up, with their range; details on stderr,
# exactly one line on stdout:
#   RESULT device=gpu|cpu djl_examples_per_s=M[MIN..MAX] torch_examples_per_s=M[MIN..MAX]|none ratio=R|none
#
# Run from the repository root on a fresh clone (it builds in the reactor, no install):
#   bench/gpu.sh        knobs: BENCH_OPTS="-Dbench.rounds=3 -Dbench.examples=60000 -Dbench.warmupBatches=100 -Dbench.synthetic=true"
#                       BENCH_PYTHON=/path/to/python3 (default: the first of python3, /usr/bin/python3 with torch)
#
# A GPU machine without network. The build ships only the CPU libtorch (pytorch-native-cpu); DJL takes a CUDA
# libtorch instead when these are set (they win over the CPU jar on the class path; this script passes them on
# and checks the JNI library below is there before it starts):
#   PYTORCH_LIBRARY_PATH  the directory with libtorch.so, e.g. a pip torch's
#                         $(python3 -c 'import os,torch; print(os.path.dirname(torch.__file__))')/lib
#   PYTORCH_VERSION       that libtorch's version, e.g. 2.7.1 (torch.__version__ without the +cuXXX)
#   PYTORCH_FLAVOR        e.g. cu128 (the +cuXXX suffix; cpu for a CPU build)
# DJL then loads its JNI library from
#   ${DJL_CACHE_DIR:-~/.djl.ai}/pytorch/$PYTORCH_VERSION-$PYTORCH_FLAVOR-linux-x86_64/0.35.1-libdjl_torch.so
# and, offline, fails if it is not there: for libtorch 2.7.1 copy it from a machine that ran DJL 0.35.1 online
# with that flavor; for any other torch build it from DJL's engines/pytorch/pytorch-native at tag v0.35.1 with
# CMake against that torch (-DUSE_CUDA=1), as README.md (Benchmarks, "A GPU machine") describes.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

DJL_VERSION=0.35.1
if [[ -n "${PYTORCH_LIBRARY_PATH:-}" ]]; then
  : "${PYTORCH_VERSION:?PYTORCH_LIBRARY_PATH is set: set PYTORCH_VERSION to that libtorch version too (e.g. 2.7.1)}"
  : "${PYTORCH_FLAVOR:?PYTORCH_LIBRARY_PATH is set: set PYTORCH_FLAVOR too (e.g. cu128, or cpu)}"
  export PYTORCH_LIBRARY_PATH PYTORCH_VERSION PYTORCH_FLAVOR
  jni="${DJL_CACHE_DIR:-$HOME/.djl.ai}/pytorch/$PYTORCH_VERSION-$PYTORCH_FLAVOR-linux-x86_64/$DJL_VERSION-libdjl_torch.so"
  if [[ ! -f "$jni" ]]; then
    echo "gpu.sh: $jni is missing: offline DJL cannot use the libtorch in $PYTORCH_LIBRARY_PATH without it;" \
      "build or copy it there (see this script's header), or unset PYTORCH_LIBRARY_PATH to run on the CPU" >&2
    exit 2
  fi
  echo "gpu.sh: libtorch $PYTORCH_VERSION-$PYTORCH_FLAVOR from $PYTORCH_LIBRARY_PATH, JNI $jni" >&2
fi

source "$ROOT/bench/build.sh"
bench_python
PYTHON="$BENCH_PYTHON_TORCH"
bench_build app
bench_exec 4g -Dbench.python="$PYTHON" -Dbench.torchScript="$ROOT/bench/gpu_torch.py" io.streamlearn.bench.GpuBench
