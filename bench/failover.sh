#!/usr/bin/env bash
# Serving failover (issue 12): two `streamlearn serve` JVMs in one group on an embedded broker, with the
# settings docs/serving.md recommends (--instance-id, --static-membership, session and transaction
# timeouts of 10 s); a steady request stream; one instance SIGKILLed. Measures the longest time any
# request waited for its first answer (read_committed reader), once with a replacement started at once
# under the same instance id (what a restart policy does) and once without, in the default
# (at-least-once) and the --exactly-once mode. Medians over rounds with their range; details on stderr,
# exactly one line on stdout:
#   RESULT replaced_alo_max_wait_s=M[MIN..MAX] alone_alo_max_wait_s=… replaced_eos_max_wait_s=…
#          alone_eos_max_wait_s=… rounds=N rate_per_s=R violations=V
# A violation (a request never answered, or answered twice in exactly-once mode) makes the exit code 1.
#
# Run from the repository root on a fresh clone (it builds in the reactor, no install):
#   bench/failover.sh            knobs: BENCH_OPTS="-Dbench.rounds=3 -Dbench.rate=1000 -Dbench.afterKillSeconds=25"
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source "$ROOT/bench/build.sh"
bench_build app
bench_exec 2g io.streamlearn.bench.FailoverBench
