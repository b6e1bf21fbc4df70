package io.streamlearn.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlearn.core.example.Example;
import io.streamlearn.core.kafka.Topics;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.model.OptimizerSpec;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.SnapshotStore;
import io.streamlearn.core.testkit.Blobs;
import io.streamlearn.core.testkit.ExampleRecords;
import io.streamlearn.core.testkit.KafkaBrokerExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer job on a Flink standalone cluster in separate processes, set up as the README's "Flink cluster"
 * section says (DJL in {@code lib/}, {@code ai.djl.} parent-first, the job jar submitted with {@code flink run}):
 * its TaskManager is SIGKILLed mid-stream and a new one started; the job recovers from its checkpoint and trains
 * every produced example exactly once, publishing strictly increasing versions.
 */
class FlinkClusterFailoverEndToEndTest {
    private static final String MAIN = "io.streamlearn.trainer.job.TrainerJob";
    static final ModelSpec SPEC = ModelSpec.mlp("blobs", 4, 3, 16).withOptimizer(OptimizerSpec.adam(0.01f));
    private static final Duration PHASE_TIMEOUT = Duration.ofSeconds(120);

    @RegisterExtension
    static final KafkaBrokerExtension kafka = KafkaBrokerExtension.perClass();

    @TempDir
    Path flinkHome;

    @TempDir
    Path store;

    @Test
    void recoversFromItsCheckpointWhenTheTaskManagerIsKilledMidStream() throws Exception {
        Path jobJar = trainerJobJar();
        Topics topics = kafka.topics();
        Path specFile = Files.writeString(flinkHome.resolve("blobs.json"), SPEC.toJson());
        SnapshotStore snapshots = new SnapshotStore(store);
        List<Example> before = Blobs.three(2000, 21, "a");
        List<Example> during = Blobs.three(8000, 22, "b");
        List<Example> after = Blobs.three(2000, 23, "c");
        int produced = before.size() + during.size() + after.size();

        try (FlinkStandaloneCluster flink = FlinkStandaloneCluster.inHome(flinkHome).start()) {
            flink.explainingFailures(() -> {
                produce(topics, before);
                String job = flink.submit(jobJar, MAIN, List.of("--bootstrap-server", kafka.bootstrapServers(),
                        "--spec", specFile.toString(), "--store", store.toString(), "--topic-prefix", topics.prefix(),
                        "--checkpoint-interval-ms", "500", "--max-wait-ms", "50", "--device", "cpu"));
                flink.await("the first " + before.size() + " examples published in a snapshot", PHASE_TIMEOUT,
                        () -> seenByLatest(snapshots) == before.size());
                assertThat(flink.completedCheckpoints(job)).as("checkpoints completed").isGreaterThanOrEqualTo(1);

                // The stream goes on; the TaskManager dies once a checkpoint covers some of these examples, while
                // the trainer is (most likely) still busy with the rest.
                produce(topics, during);
                flink.await("a snapshot with examples after the first " + before.size(), PHASE_TIMEOUT,
                        () -> seenByLatest(snapshots) > before.size());
                assertThat(flink.restoredCheckpoint(job)).as("no restore before the kill").isEmpty();
                long checkpointBeforeKill = flink.latestCompletedCheckpoint(job).orElseThrow();
                flink.killTaskManager("tm-1");
                long seenAtKill = seenByLatest(snapshots);
                produce(topics, after);
                // A new TaskManager at once, as a restart policy (systemd, Kubernetes) starts one.
                flink.awaitRegistered(flink.startTaskManager());

                flink.await("every produced example in a snapshot", PHASE_TIMEOUT,
                        () -> seenByLatest(snapshots) >= produced);
                OptionalLong restored = flink.restoredCheckpoint(job);
                assertThat(restored).as("the job restored a checkpoint after the kill").isPresent();
                assertThat(restored.getAsLong()).as("the checkpoint restored: the newest one completed before the kill, or later")
                        .isGreaterThanOrEqualTo(checkpointBeforeKill);
                assertThat(flink.jobState(job)).isEqualTo("RUNNING");

                SnapshotManifest last = snapshots.latest(SPEC.name()).orElseThrow();
                assertThat(seen(last)).as("examples trained + held out = examples produced (%d published at the kill)",
                        seenAtKill).isEqualTo(produced);
                assertThat(last.sourceOffsets().values().stream().mapToLong(Long::longValue).sum())
                        .as("the manifest's next offsets cover every example of the fresh topic once").isEqualTo(produced);
                assertThat(last.metric("holdout_accuracy")).isGreaterThanOrEqualTo(0.9);
                List<SnapshotManifest> history = snapshots.versions(SPEC.name()).stream()
                        .map(v -> snapshots.manifest(SPEC.name(), v)).toList();
                assertThat(history).extracting(SnapshotManifest::version).isSorted().doesNotHaveDuplicates();
                assertThat(history).extracting(FlinkClusterFailoverEndToEndTest::seen).isSorted();
                List<Long> announced = kafka.reader(topics.models()).readAtLeast(history.size()).stream()
                        .map(r -> SnapshotManifest.fromJson(r.value()).version()).toList();
                assertThat(announced).as("versions on the models topic").isSorted().doesNotHaveDuplicates()
                        .containsExactlyElementsOf(history.stream().map(SnapshotManifest::version).toList());
                flink.cancel(job);
                System.out.printf("flink cluster failover: tm-1 killed with %d of %d examples published, checkpoint %d "
                        + "restored, %d versions published%n", seenAtKill, produced, restored.getAsLong(), history.size());
            });
        }
    }

    /** The trainer module's job jar, which its package phase builds before this module's tests run. */
    static Path trainerJobJar() throws IOException {
        // Surefire runs in the app module's directory; the trainer module is its sibling.
        Path target = Path.of("").toAbsolutePath().resolveSibling("trainer").resolve("target");
        List<Path> jars = List.of();
        if (Files.isDirectory(target)) {
            try (Stream<Path> s = Files.list(target)) {
                jars = s.filter(p -> p.getFileName().toString().matches("streamlearn-trainer-.*-job\\.jar")).toList();
            }
        }
        assertThat(jars).as("the trainer job jar in " + target + ": build it with ./mvnw -pl trainer -am package "
                + "(./mvnw verify builds it before this test)").hasSize(1);
        return jars.get(0);
    }

    private static long seen(SnapshotManifest m) {
        return m.examplesSeen() + (long) m.metric("holdout_examples");
    }

    private static long seenByLatest(SnapshotStore snapshots) {
        return snapshots.latest(SPEC.name()).map(FlinkClusterFailoverEndToEndTest::seen).orElse(0L);
    }

    private static void produce(Topics topics, List<Example> examples) throws Exception {
        ExampleRecords.send(kafka.bootstrapServers(), ExampleRecords.binary(topics.examples(), examples));
    }
}
