#!/usr/bin/env bash
# Scale-out training (issue 13): Fashion-MNIST (Debian's dataset-fashion-mnist), three passes for accuracy and nine
# for the rate and CPU, the `mlp` spec,
# a 4-partition examples topic, trained by the trainer job at parallelism 1 and 2 on a Flink standalone cluster
# of separate TaskManager processes (one trainer slot each), several rounds. Medians with their range; details
# on stderr, exactly one line on stdout:
#   RESULT p1_examples_per_s=… p2_examples_per_s=… scaling=… efficiency=… efficiency_steady=… efficiency_cold=… test_acc_p1=… test_acc_p2=… acc_gap=… cores=…
# efficiency = examples per CPU second of all the cluster's processes at p2 ÷ the same at p1, from the first snapshot
# to the last one taken while examples were left to train; efficiency_steady the same over the second half of that
# window. The job jar is in the cluster's lib/ (docs/deploy.md, a dedicated cluster), and a first round on fresh
# TaskManagers (efficiency_cold) is not in the medians: later rounds find the job's code compiled by the JIT.
# stderr shows where the CPU went, per process and thread (/proc/<pid>/task/*/stat), in both halves.
#
# Run from the repository root on a fresh clone (it builds in the reactor, no install):
#   bench/scaleout.sh            knobs: BENCH_OPTS="-Dbench.rounds=3 -Dbench.passes=3 -Dbench.timedPasses=9 -Dbench.spec=mlp -Dbench.checkpointMs=1000 -Dbench.jobJarInLib=true"
# (every checkpoint is a merge at parallelism 2: the interval trades merge overhead against how far the
# subtasks drift apart)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source "$ROOT/bench/build.sh"
bench_build app
JOB_JAR="$(ls "$ROOT"/trainer/target/streamlearn-trainer-*-job.jar | head -1)"
BENCH_OPTS="-Dbench.jobJar=$JOB_JAR ${BENCH_OPTS:-}" bench_exec 4g io.streamlearn.bench.ScaleOutBench
