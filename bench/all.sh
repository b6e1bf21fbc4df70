#!/usr/bin/env bash
# Runs every benchmark (bench/*.sh but this one and build.sh: trainer, ingest, serving, freshness, failover, gpu, and
# scaleout when present), one after another, each with its own defaults, and prints the RESULT lines they printed,
# prefixed with the script's name, on stdout. Each script's stderr goes to $BENCH_LOG_DIR/NAME.log
# (default target/bench-logs); a script that fails is reported with its exit code and the others still run; the exit
# code is 1 when any failed. Expect well over half an hour on a 2-core machine.
#
# Run from the repository root on a fresh clone (each script builds in the reactor, no install):
#   bench/all.sh [NAME...]       e.g. bench/all.sh serving freshness   (default: all of them)
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
LOGS="${BENCH_LOG_DIR:-$ROOT/target/bench-logs}"
mkdir -p "$LOGS"

NAMES=("$@")
if [[ ${#NAMES[@]} -eq 0 ]]; then
  NAMES=(trainer ingest serving freshness failover gpu)
  [[ -x "$ROOT/bench/scaleout.sh" ]] && NAMES+=(scaleout)
fi

results=()
failed=0
for name in "${NAMES[@]}"; do
  script="$ROOT/bench/$name.sh"
  if [[ ! -x "$script" ]]; then
    echo "all.sh: no benchmark $script" >&2
    failed=1
    continue
  fi
  echo "all.sh: $(date -u +%H:%M:%S) $name (log: $LOGS/$name.log)" >&2
  out="$("$script" 2>"$LOGS/$name.log")"
  rc=$?
  lines="$(grep '^RESULT' <<<"$out" || true)"
  if [[ $rc -ne 0 || -z "$lines" ]]; then
    results+=("$name: FAILED (exit $rc, no RESULT line: see $LOGS/$name.log)")
    failed=1
  fi
  while IFS= read -r line; do
    [[ -n "$line" ]] && results+=("$name: $line")
  done <<<"$lines"
done

echo "all.sh: $(date -u +%Y-%m-%d) on $(nproc) cores, $(uname -m)" >&2
[[ ${#results[@]} -gt 0 ]] && printf '%s\n' "${results[@]}"
exit "$failed"
