#!/usr/bin/env bash
# Submits the streamlearn trainer job, detached, to the Flink session cluster at $JOBMANAGER
# (host:port of its REST API, default jobmanager:8081). The arguments are TrainerJob's flags
# (--bootstrap-server, --spec, --store, ...; see TrainerJob#fromArgs). Does nothing when a
# streamlearn trainer job already runs there, so `docker-compose up` can be repeated.
# SAVEPOINT_PATH=<savepoint dir> starts the job from that savepoint (an upgrade, or a rescale: a
# savepoint restores at any --parallelism). TRAINER_PARALLELISM=N adds --parallelism N unless the
# arguments already say.
set -euo pipefail
JOBMANAGER=${JOBMANAGER:-jobmanager:8081}
JAR=/opt/streamlearn/streamlearn-trainer-job.jar

running=$(flink list -r -m "$JOBMANAGER" 2>/dev/null | grep -E ' : streamlearn-trainer-' || true)
if [[ -n "$running" ]]; then
  echo "submit-trainer: a trainer job already runs on $JOBMANAGER; not submitting another:"
  echo "$running"
  exit 0
fi

restore=()
if [[ -n "${SAVEPOINT_PATH:-}" ]]; then
  restore=(-s "$SAVEPOINT_PATH")
fi
args=("$@")
if [[ -n "${TRAINER_PARALLELISM:-}" && " $* " != *" --parallelism "* ]]; then
  args+=(--parallelism "$TRAINER_PARALLELISM")
fi
echo "submit-trainer: flink run on $JOBMANAGER${SAVEPOINT_PATH:+ from savepoint $SAVEPOINT_PATH}: ${args[*]}"
exec flink run -d -m "$JOBMANAGER" "${restore[@]}" -c io.streamlearn.trainer.job.TrainerJob "$JAR" "${args[@]}"
