package io.streamlearn.bench;

import io.streamlearn.app.SpecResolver;
import io.streamlearn.core.broker.EmbeddedKafkaBroker;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.io.FileTrees;
import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.kafka.Topics;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.SnapshotStore;
import io.streamlearn.core.testkit.BenchStats;
import io.streamlearn.core.testkit.ExampleRecords;
import io.streamlearn.e2e.FlinkStandaloneCluster;
import io.streamlearn.e2e.ThreadCpu;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;

/**
 * Scale-out training (issue 13): Fashion-MNIST, several passes, on a 4-partition examples topic, trained by the
 * trainer job at parallelism 1 and 2 on a Flink standalone cluster of separate TaskManager processes with one slot
 * each, submitted with {@code flink run} as docs/deploy.md says, with the job jar in the cluster's {@code lib/} as
 * on a dedicated cluster. Per round and parallelism, two jobs: three passes, for the test accuracy of the last version
 * on t10k; then nine passes ({@code -Dbench.timedPasses}) for the rate and the examples per CPU second of all the
 * cluster's processes (every JobManager and TaskManager), over the window from the first snapshot to the last one
 * taken while examples were left to train: three passes last about four seconds at p1, too few snapshots for a
 * steady window. Medians over rounds with their range; details on
 * stderr, one line on stdout:
 * <pre>RESULT p1_examples_per_s=… p2_examples_per_s=… scaling=… efficiency=… efficiency_steady=… efficiency_cold=… …</pre>
 * where efficiency is examples per CPU second at p2 divided by the same at p1, efficiency_steady the same over the
 * second half of the window, and efficiency_cold the first round's, on TaskManagers that never ran the job: their
 * JIT compiles its code first, in one process at p1 and in two at p2 (the per-thread CPU on stderr shows it); that
 * round is left out of the medians.
 */
public final class ScaleOutBench {
    private static final String MAIN = "io.streamlearn.trainer.job.TrainerJob";
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(20);
    /** Checkpoints, so merges at p2, every second (the trainer's default is 10 s): a merge's cost counts often. */
    private static final long CHECKPOINT_MS = 1000;
    /** docs/deploy.md's parent-first patterns for a cluster with the job jar in {@code lib/}. */
    private static final String DEDICATED_PARENT_FIRST =
            "ai.djl.;io.streamlearn.;org.apache.kafka.;org.apache.flink.connector.kafka.;com.fasterxml.jackson.";

    private ScaleOutBench() {}

    /**
     * One trainer run: steady rate, examples per CPU second from the first snapshot to the last and over the second
     * half of the examples (with enough passes the JIT warm-up of every process is over by then), test accuracy of the
     * last version.
     */
    private record Run(double examplesPerS, double examplesPerCpuS, double examplesPerCpuSSteady, double testAcc) {}

    /** A snapshot as the bench saw it, with the cluster's CPU seconds and per-thread CPU at that moment. */
    private record Seen(SnapshotManifest manifest, double cpu, ThreadCpu threads) {}

    public static void main(String[] args) throws Exception {
        String specName = System.getProperty("bench.spec", "mlp");
        int passes = Integer.getInteger("bench.passes", 3);
        int timedPasses = Integer.getInteger("bench.timedPasses", 9);
        int rounds = Integer.getInteger("bench.rounds", 3);
        int limit = Integer.getInteger("bench.limit", 60_000);
        Path jobJar = Path.of(System.getProperty("bench.jobJar"));
        ModelSpec spec = SpecResolver.resolve(specName);
        List<Example> train = TrainerBench.load("fashion-mnist/train", limit);
        List<Example> test = TrainerBench.load("fashion-mnist/t10k", Integer.MAX_VALUE);
        long produced = (long) train.size() * passes;
        long producedTimed = (long) train.size() * timedPasses;
        int cores = Runtime.getRuntime().availableProcessors();
        log("spec %s, %d passes (accuracy) and %d passes (rate and CPU) of %d examples on 4 partitions, %d rounds, %d "
                + "cores, checkpoints (merges) every %d ms", spec.name(), passes, timedPasses, train.size(), rounds,
                cores, Long.getLong("bench.checkpointMs", CHECKPOINT_MS));

        Path home = Files.createTempDirectory("streamlearn-scaleout-bench-");
        List<Run> p1 = new ArrayList<>();
        List<Run> p2 = new ArrayList<>();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().start();
                FlinkStandaloneCluster flink = new FlinkStandaloneCluster(home.resolve("flink"),
                        new FlinkStandaloneCluster.Options(2, 1, Duration.ofSeconds(180), lib(jobJar), settings()))
                        .start()) {
            // The test accuracy after three passes (issue 13); the rate and the CPU over more, so that the window
            // between the first snapshot and the last one with examples left lasts many checkpoints, not two or three.
            Topics topics = Topics.defaults();
            Topics timed = new Topics("timed.");
            produce(broker.bootstrapServers(), topics, train, passes);
            produce(broker.bootstrapServers(), timed, train, timedPasses);
            Path specFile = Files.writeString(home.resolve(spec.name() + ".json"), spec.toJson());
            // Round 0 runs on TaskManagers that never ran the job: the JIT compiles its code in every process.
            for (int round = 0; round <= rounds; round++) {
                for (int parallelism : new int[] {1, 2}) {
                    String name = round + "-p" + parallelism;
                    Run accuracy = train(flink, jobJar, broker.bootstrapServers(), topics, spec, specFile,
                            home.resolve("store-" + name), parallelism, round, produced, test);
                    Run run = round == 0 ? accuracy : train(flink, jobJar, broker.bootstrapServers(), timed, spec,
                            specFile, home.resolve("store-timed-" + name), parallelism, round, producedTimed, null);
                    run = new Run(run.examplesPerS(), run.examplesPerCpuS(), run.examplesPerCpuSSteady(),
                            accuracy.testAcc());
                    (parallelism == 1 ? p1 : p2).add(run);
                    log("round %d p%d: %.0f examples/s, %.0f examples per CPU second (%.0f over the second half), "
                            + "test accuracy %.4f after %d passes", round, parallelism, run.examplesPerS(),
                            run.examplesPerCpuS(), run.examplesPerCpuSSteady(), run.testAcc(), passes);
                }
            }
        } finally {
            FileTrees.deleteRecursively(home);
        }
        // Round 0: the first job on each TaskManager (three passes), its JIT warm-up included.
        double effCold = p2.get(0).examplesPerCpuS() / p1.get(0).examplesPerCpuS();
        p1.remove(0);
        p2.remove(0);
        double[] rate1 = p1.stream().mapToDouble(Run::examplesPerS).toArray();
        double[] rate2 = p2.stream().mapToDouble(Run::examplesPerS).toArray();
        double[] eff = new double[rounds];
        double[] effSteady = new double[rounds];
        double[] gap = new double[rounds];
        double[] scaling = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            eff[r] = p2.get(r).examplesPerCpuS() / p1.get(r).examplesPerCpuS();
            effSteady[r] = p2.get(r).examplesPerCpuSSteady() / p1.get(r).examplesPerCpuSSteady();
            gap[r] = Math.abs(p1.get(r).testAcc() - p2.get(r).testAcc());
            scaling[r] = rate2[r] / rate1[r];
        }
        System.out.printf(Locale.ROOT, "RESULT p1_examples_per_s=%s p2_examples_per_s=%s scaling=%s efficiency=%s "
                        + "efficiency_steady=%s efficiency_cold=%.2f test_acc_p1=%s test_acc_p2=%s acc_gap=%s cores=%d "
                        + "rounds=%d passes=%d timed_passes=%d%n",
                stat(rate1, "%.0f"), stat(rate2, "%.0f"), stat(scaling, "%.2f"), stat(eff, "%.2f"),
                stat(Arrays.stream(effSteady).filter(v -> !Double.isNaN(v)).toArray(), "%.2f"), effCold,
                stat(p1.stream().mapToDouble(Run::testAcc).toArray(), "%.4f"),
                stat(p2.stream().mapToDouble(Run::testAcc).toArray(), "%.4f"), stat(gap, "%.4f"), cores, rounds, passes,
                timedPasses);
        System.exit(0);
    }

    private static Run train(FlinkStandaloneCluster flink, Path jobJar, String bootstrap, Topics topics, ModelSpec spec,
            Path specFile, Path store, int parallelism, int round, long produced, List<Example> test) throws Exception {
        SnapshotStore snapshots = new SnapshotStore(store);
        String job = flink.submit(jobJar, MAIN, List.of("--bootstrap-server", bootstrap, "--spec", specFile.toString(),
                "--store", store.toString(), "--topic-prefix", topics.prefix(), "--group-id",
                "scaleout-bench-" + round + "-p" + parallelism, "--parallelism", Integer.toString(parallelism),
                "--checkpoint-interval-ms", Long.toString(Long.getLong("bench.checkpointMs", CHECKPOINT_MS)), "--max-wait-ms",
                "200", "--holdout", "0", "--device", "cpu"));
        // Each snapshot as the bench sees it (polled every 20 ms), with the cluster's CPU at that moment.
        List<Seen> seen = new ArrayList<>();
        long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
        flink.explainingFailures(() -> {
            while (seen.isEmpty() || seen.get(seen.size() - 1).manifest().examplesSeen() < produced) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("parallelism " + parallelism + " did not train " + produced
                            + " examples in " + RUN_TIMEOUT);
                }
                Optional<SnapshotManifest> latest = snapshots.latest(spec.name());
                if (latest.isPresent() && (seen.isEmpty()
                        || latest.get().version() != seen.get(seen.size() - 1).manifest().version())) {
                    seen.add(new Seen(latest.get(), flink.cpuSeconds(), ThreadCpu.sample(flink.processIds())));
                }
                Thread.sleep(20);
            }
        });
        flink.cancel(job);
        flink.await("job " + job + " cancelled", Duration.ofSeconds(60), () -> "CANCELED".equals(flink.jobState(job)));
        // The window: from the first snapshot to the last one whose checkpoint still left at least a batch per
        // subtask to train. A later one came after the stream ran dry, its wait idle time of every process.
        Seen first = seen.get(0);
        Seen end = TrainerBench.lastWithBacklog(seen, x -> x.manifest().examplesSeen(), produced,
                (long) spec.batchSize() * parallelism);
        long examples = end.manifest().examplesSeen() - first.manifest().examplesSeen();
        double rate = examples * 1000.0 / Math.max(1, end.manifest().createdMs() - first.manifest().createdMs());
        double perCpu = examples / Math.max(1e-9, end.cpu() - first.cpu());
        // The second half of the window: the JIT's and other warm-up left over from the first half shows here.
        Seen half = end;
        for (Seen s : seen) {
            if (s.manifest().examplesSeen() >= first.manifest().examplesSeen() + examples / 2) {
                half = s;
                break;
            }
        }
        long secondHalf = end.manifest().examplesSeen() - half.manifest().examplesSeen();
        double perCpuSteady = half == end ? Double.NaN : secondHalf / Math.max(1e-9, end.cpu() - half.cpu());
        log("round %d p%d: %d snapshots, %d examples from v%d to v%d in %.1f CPU seconds; by process and thread "
                + "(>= 0.1 s), %d examples up to v%d:%n%sthen %d examples in %.1f CPU seconds:%n%s", round,
                parallelism, seen.size(), examples, first.manifest().version(), end.manifest().version(),
                end.cpu() - first.cpu(), half.manifest().examplesSeen() - first.manifest().examplesSeen(),
                half.manifest().version(), half.threads().since(first.threads(), 0.1), secondHalf,
                end.cpu() - half.cpu(), end.threads().since(half.threads(), 0.1));
        SnapshotManifest last = seen.get(seen.size() - 1).manifest();
        if (test == null) {
            return new Run(rate, perCpu, perCpuSteady, Double.NaN);
        }
        byte[] params = Files.readAllBytes(snapshots.directory(spec.name(), last.version()).resolve(last.paramsFile()));
        return new Run(rate, perCpu, perCpuSteady, TrainerBench.testAccuracy(spec, params, test));
    }

    /**
     * Flink's {@code lib/}: with {@code -Dbench.jobJarInLib=true} (the default) the job jar too, as on a dedicated
     * cluster (docs/deploy.md), so that its classes load once per TaskManager and stay compiled from one job to the
     * next; with false, each job's classes load anew and every job pays the JIT again in every process.
     */
    private static List<Path> lib(Path jobJar) {
        List<Path> lib = new ArrayList<>(FlinkStandaloneCluster.libFromTestClassPath());
        if (jobJarInLib()) {
            lib.add(jobJar);
        }
        return lib;
    }

    private static boolean jobJarInLib() {
        return Boolean.parseBoolean(System.getProperty("bench.jobJarInLib", "true"));
    }

    /** Creates {@code topics}' topics (4 partitions) and sends {@code passes} passes of {@code train}, ids per pass. */
    private static void produce(String bootstrap, Topics topics, List<Example> train, int passes) throws Exception {
        try (Admin admin = KafkaClients.admin(bootstrap, Map.of())) {
            topics.createAll(admin, 4, (short) 1);
        }
        for (int pass = 0; pass < passes; pass++) {
            List<Example> renamed = new ArrayList<>(train.size());
            for (Example e : train) {
                renamed.add(new Example(e.id() + "-p" + pass, e.features(), e.label(), e.weight(), e.timestampMs()));
            }
            ExampleRecords.send(bootstrap, ExampleRecords.binary(topics.examples(), renamed));
        }
    }

    /** The cluster's settings besides docs/deploy.md's: {@code -Dbench.taskManagerJavaOpts} to try JVM options. */
    private static Map<String, String> settings() {
        Map<String, String> settings = new LinkedHashMap<>();
        if (jobJarInLib()) {
            settings.put("classloader.parent-first-patterns.additional", DEDICATED_PARENT_FIRST);
        }
        String opts = System.getProperty("bench.taskManagerJavaOpts", "");
        if (!opts.isBlank()) {
            settings.put("env.java.opts.taskmanager", "-Dai.djl.offline=true " + opts);
        }
        return settings;
    }

    /** {@code median[min..max]} of {@code values}, {@code none} when there are none. */
    private static String stat(double[] values, String format) {
        if (values.length == 0) {
            return "none";
        }
        return BenchStats.medianRange(Arrays.stream(values).boxed().toList(), format);
    }

    private static void log(String format, Object... args) {
        System.err.printf(Locale.ROOT, "scaleout-bench: " + format + "%n", args);
    }
}
