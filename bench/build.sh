# Sourced by bench/*.sh. bench_build MODULE [MAVEN ARGS...] builds MODULE and what it depends on in the
# reactor, offline first, without installing (a benchmark runs on a fresh clone and must not change ~/.m2),
# and sets BENCH_CP to MODULE's test class path: its test classes, its classes and its test-scope dependencies
# (the dependency plugin writes every module's list to one file; MODULE's, built last, is the one left).
bench_build() {
  local module="$1"
  shift
  local cp_file="$ROOT/$module/target/bench-classpath.txt"
  local mvn=("$ROOT/mvnw" -B -q -f "$ROOT/pom.xml" -pl "$module" -am -DskipTests "$@" package
             dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test)
  "${mvn[@]}" -o >&2 || "${mvn[@]}" >&2
  BENCH_CP="$ROOT/$module/target/test-classes:$ROOT/$module/target/classes:$(cat "$cp_file")"
}

# bench_python sets BENCH_PYTHON_TORCH to the first python3 that imports torch (BENCH_PYTHON, python3, then
# /usr/bin/python3: Debian's python3-torch is for the system python, and a python3 earlier on the PATH may not
# see it), or to the empty string when none does.
bench_python() {
  BENCH_PYTHON_TORCH=""
  local p
  for p in ${BENCH_PYTHON:-} python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null && "$p" -c 'import torch' 2>/dev/null; then
      BENCH_PYTHON_TORCH="$(command -v "$p")"
      return
    fi
  done
}

# bench_exec HEAP [JVM OPTIONS...] MAIN [ARGS...] replaces the shell with a JVM on BENCH_CP with the settings the
# benchmarks share: the parallel GC, DJL offline with one inter-op thread, warnings only and all of them on stderr
# (stdout carries only RESULT lines), then $BENCH_OPTS, then the given options, main class and arguments.
bench_exec() {
  local heap="$1"
  shift
  # shellcheck disable=SC2086
  exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" "-Xmx$heap" -XX:+UseParallelGC -Dai.djl.offline=true \
    -Dai.djl.pytorch.num_interop_threads=1 -Dlog4j2.configurationFile="$ROOT/bench/serving-log4j2.properties" \
    ${BENCH_OPTS:-} -cp "$BENCH_CP" "$@"
}
