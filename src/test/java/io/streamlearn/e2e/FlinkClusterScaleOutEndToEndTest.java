package io.streamlearn.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlearn.core.example.Example;
import io.streamlearn.core.kafka.Topics;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.SnapshotStore;
import io.streamlearn.core.testkit.Blobs;
import io.streamlearn.core.testkit.ExampleRecords;
import io.streamlearn.core.testkit.KafkaBrokerExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer job at {@code --parallelism 2} on a Flink standalone cluster of two TaskManager processes with one slot
 * each, as the README's "Scaling out training" runs it: the subtasks train in separate JVMs, exchange their models
 * through the store at every checkpoint and publish one model trained on every example.
 */
class FlinkClusterScaleOutEndToEndTest {
    private static final ModelSpec SPEC = FlinkClusterFailoverEndToEndTest.SPEC;

    /** Two partitions: one per TaskManager. */
    @RegisterExtension
    static final KafkaBrokerExtension kafka = KafkaBrokerExtension.perClass();

    /** The cluster's home and the shared store (every TaskManager sees the same directory). */
    @TempDir
    Path dir;

    @Test
    void twoTaskManagerProcessesTrainOneModelOnEveryExample() throws Exception {
        Path flinkHome = Files.createDirectory(dir.resolve("flink"));
        Path store = Files.createDirectory(dir.resolve("store"));
        Path jobJar = FlinkClusterFailoverEndToEndTest.trainerJobJar();
        Topics topics = kafka.topics();
        Path specFile = Files.writeString(flinkHome.resolve("blobs.json"), SPEC.toJson());
        SnapshotStore snapshots = new SnapshotStore(store);
        List<Example> stream = Blobs.three(4000, 41, "x");
        ExampleRecords.send(kafka.bootstrapServers(), ExampleRecords.binary(topics.examples(), stream));
        FlinkStandaloneCluster.Options options = new FlinkStandaloneCluster.Options(2, 1, Duration.ofSeconds(120),
                List.of(), Map.of("taskmanager.load-balance.mode", "SLOTS"));
        try (FlinkStandaloneCluster flink = new FlinkStandaloneCluster(flinkHome, options).start()) {
            flink.explainingFailures(() -> {
                String job = flink.submit(jobJar, "io.streamlearn.trainer.job.TrainerJob", List.of(
                        "--bootstrap-server", kafka.bootstrapServers(), "--spec", specFile.toString(),
                        "--store", store.toString(), "--topic-prefix", topics.prefix(), "--parallelism", "2",
                        "--checkpoint-interval-ms", "500", "--max-wait-ms", "50", "--device", "cpu"));
                flink.await("every produced example in a snapshot of the merged model", Duration.ofSeconds(180),
                        () -> snapshots.latest(SPEC.name()).map(m -> seen(m) >= stream.size()).orElse(false));
                SnapshotManifest last = snapshots.latest(SPEC.name()).orElseThrow();
                assertThat(seen(last)).as("examples trained + held out = examples produced").isEqualTo(stream.size());
                assertThat(last.source()).containsEntry("subtasks", "2");
                assertThat(last.metric("holdout_accuracy")).isGreaterThanOrEqualTo(0.95);
                assertThat(snapshots.versions(SPEC.name())).isSorted().doesNotHaveDuplicates();
                flink.cancel(job);
            });
        }
    }

    private static long seen(SnapshotManifest m) {
        return m.examplesSeen() + (long) m.metric("holdout_examples");
    }
}
