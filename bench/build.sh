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

# bench_run MODULE MAIN [ARGS...]: from the repository root, builds MODULE (bench_build) and runs MAIN on its test
# class path with the benchmarks' JVM settings (offline DJL, log4j at WARN, BENCH_JAVA_OPTS added).
bench_run() {
  local module="$1" main="$2"
  shift 2
  ROOT="${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
  cd "$ROOT"
  bench_build "$module"
  "${JAVA_HOME:+$JAVA_HOME/bin/}java" -Xmx8g -XX:+UseParallelGC -Dai.djl.offline=true ${BENCH_JAVA_OPTS:-} \
    -Dlog4j2.configurationFile="$ROOT/src/test/resources/log4j2-test.properties" -Dlog4j2.level=WARN \
    -cp "$BENCH_CP" "$main" "$@"
}
