package io.streamlearn.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamlearn.app.StreamlearnCommand;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.kafka.Topics;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.model.OptimizerSpec;
import io.streamlearn.core.snapshot.ManifestMetrics;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.SnapshotStore;
import io.streamlearn.core.testkit.Blobs;
import io.streamlearn.core.testkit.ExampleRecords;
import io.streamlearn.core.testkit.KafkaBrokerExtension;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code streamlearn train} as its own JVM, SIGKILLed after it published a version and started again without any
 * Flink state: the new process resumes the latest snapshot, so the counts continue, no example is lost or counted
 * twice, and the model is as good as before the kill.
 */
class TrainerRestartEndToEndTest {
    private static final ModelSpec SPEC = ModelSpec.mlp("blobs", 4, 3, 16).withOptimizer(OptimizerSpec.adam(0.01f));

    @RegisterExtension
    static final KafkaBrokerExtension kafka = KafkaBrokerExtension.perClass();

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killTrainers() throws Exception {
        for (Process p : processes) {
            p.destroyForcibly().waitFor();
        }
    }

    private static void produce(Topics topics, List<Example> examples) throws Exception {
        ExampleRecords.send(kafka.bootstrapServers(), ExampleRecords.binary(topics.examples(), examples));
    }

    /** {@code streamlearn train} in a child JVM with this test's class path, its output in {@code log}. */
    private Process train(Topics topics, Path spec, Path store, Path log) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-cp", System.getProperty("java.class.path")));
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith("ai.djl.") || name.startsWith("log4j2.")) {
                cmd.add("-D" + name + "=" + System.getProperty(name));
            }
        }
        cmd.addAll(List.of(StreamlearnCommand.class.getName(), "train", "--spec", spec.toString(), "--store",
                store.toString(), "-b", kafka.bootstrapServers(), "--topic-prefix", topics.prefix(),
                "--checkpoint-interval-ms", "500", "--max-wait-ms", "50", "--metrics-port", "0"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(p);
        return p;
    }

    private static long seen(SnapshotManifest m) {
        return m.examplesSeen() + (long) m.metric(ManifestMetrics.HOLDOUT_EXAMPLES);
    }

    private static String tail(Path log) throws Exception {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    /** Waits for {@code condition} while {@code trainer} lives; a timeout or an early exit shows its log. */
    private static void awaitOrShowLog(Path log, Process trainer, Duration poll, Callable<Boolean> condition)
            throws Exception {
        try {
            await().atMost(Duration.ofSeconds(180)).pollInterval(poll)
                    .failFast("the trainer exited", () -> !trainer.isAlive()).until(condition);
        } catch (Throwable t) {
            throw new AssertionError(t.getMessage() + "; its log ends:\n" + tail(log), t);
        }
    }

    @Test
    void aTrainerKilledAndStartedAgainContinuesItsCountsLosesNothingAndKeepsItsAccuracy() throws Exception {
        Topics topics = kafka.topics();
        Path spec = dir.resolve("blobs.json");
        Files.writeString(spec, SPEC.toJson());
        Path storeDir = dir.resolve("store");
        SnapshotStore store = new SnapshotStore(storeDir);
        List<Example> first = Blobs.three(6000, 31, "a");
        List<Example> second = Blobs.three(3000, 32, "b");
        produce(topics, first);

        Path log1 = dir.resolve("train-1.log");
        Process trainer = train(topics, spec, storeDir, log1);
        // Killed once a version has learned the blobs, so "as good as before" means something.
        awaitOrShowLog(log1, trainer, Duration.ofMillis(50),
                () -> store.latest("blobs").map(m -> seen(m) >= 2500).orElse(false));
        trainer.destroyForcibly().waitFor();
        assertThat(trainer.exitValue()).as("SIGKILL").isEqualTo(137);
        List<Long> before = store.versions("blobs");
        SnapshotManifest lastBefore = store.manifest("blobs", before.get(before.size() - 1));

        produce(topics, second);
        long produced = first.size() + second.size();
        Path log2 = dir.resolve("train-2.log");
        Process again = train(topics, spec, storeDir, log2);
        awaitOrShowLog(log2, again, Duration.ofMillis(200),
                () -> store.latest("blobs").map(m -> seen(m) >= produced).orElse(false));
        again.destroyForcibly().waitFor();

        List<SnapshotManifest> history = store.versions("blobs").stream().map(v -> store.manifest("blobs", v))
                .toList();
        List<SnapshotManifest> after = history.stream().filter(m -> m.version() > lastBefore.version()).toList();
        assertThat(after).as("versions after the restart").isNotEmpty();
        SnapshotManifest next = after.get(0);
        assertThat(next.parentVersion()).as("the restart resumed the last version").isEqualTo(lastBefore.version());
        assertThat(next.examplesSeen()).as("the count continues from the last version, no reset")
                .isGreaterThan(lastBefore.examplesSeen());
        assertThat(history).extracting(SnapshotManifest::version).isSorted().doesNotHaveDuplicates();
        assertThat(history).extracting(TrainerRestartEndToEndTest::seen).isSorted();
        SnapshotManifest last = history.get(history.size() - 1);
        assertThat(seen(last)).as("trained + held out over all versions = produced: none lost, none twice")
                .isEqualTo(produced);
        assertThat(last.sourceOffsets().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(produced);
        assertThat(next.metric(ManifestMetrics.HOLDOUT_ACCURACY)).as("holdout accuracy within 2 points")
                .isCloseTo(lastBefore.metric(ManifestMetrics.HOLDOUT_ACCURACY),
                        org.assertj.core.data.Offset.offset(0.02));
        assertThat(Files.readString(log2)).contains("resumed published version " + lastBefore.version());
        assertThat(new File(storeDir.toFile(), "blobs/" + next.version() + "/trainer-state.bin")).exists();
    }
}
