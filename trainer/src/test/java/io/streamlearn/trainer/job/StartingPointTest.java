package io.streamlearn.trainer.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.snapshot.SnapshotDraft;
import io.streamlearn.core.snapshot.SnapshotStore;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which snapshot a trainer without Flink state starts from, and where its source reads. */
class StartingPointTest {
    private static final ModelSpec SPEC = ModelSpec.mlp("blobs", 4, 3, 16);

    @TempDir
    Path store;

    private TrainerConfig.Builder config() {
        return TrainerConfig.builder().setBootstrapServers("127.0.0.1:9").setSpec(SPEC).setStoreRoot(store.toString());
    }

    private void publish(String topic, boolean withState) {
        new SnapshotStore(store).publish(new SnapshotDraft(SPEC, new byte[] {1}, 100, 3, 2, 0, "e", "cpu()",
                Map.of(), Map.of("topic", topic), new TreeMap<>(Map.of(0, 60L, 1, 51L)),
                withState ? new TreeMap<>(Map.of(StartingPoint.STATE_FILE, new byte[] {1})) : null, null));
    }

    private static void assertStart(StartingPoint start, StartingPoint.Kind kind, long version) {
        assertThat(start.kind()).isEqualTo(kind);
        assertThat(start.version()).isEqualTo(version);
        assertThat(start.sourceOffsets()).isEmpty();
    }

    @Test
    void anEmptyStoreStartsFreshWithANewLineage() {
        StartingPoint first = StartingPoint.choose(config().build());
        assertStart(first, StartingPoint.Kind.FRESH, 0);
        assertThat(first.lineageId()).isNotBlank()
                .isNotEqualTo(StartingPoint.choose(config().build()).lineageId());
    }

    @Test
    void resumeAndWarmStartInheritTheLineageOfTheirSnapshotAndFreshMintsANewOne() {
        new SnapshotStore(store).publish(new SnapshotDraft(SPEC, new byte[] {1}, 100, 3, 2, 0, "e", "cpu()",
                Map.of(), Map.of("topic", "streamlearn.examples"), null,
                new TreeMap<>(Map.of(StartingPoint.STATE_FILE, new byte[] {1})), "lineage-a"));
        assertThat(StartingPoint.choose(config().build()).lineageId()).isEqualTo("lineage-a");
        assertThat(StartingPoint.choose(config().optInitFromVersion(1).build()).lineageId()).isEqualTo("lineage-a");
        assertThat(StartingPoint.choose(config().optFresh(true).build()).lineageId()).isNotBlank()
                .isNotEqualTo("lineage-a");
    }

    @Test
    void resumesTheLatestSnapshotAndItsSourceOffsets() {
        publish("streamlearn.examples", true);
        publish("streamlearn.examples", true);
        StartingPoint start = StartingPoint.choose(config().build());
        assertThat(start.kind()).isEqualTo(StartingPoint.Kind.RESUME);
        assertThat(start.version()).isEqualTo(2);
        assertThat(start.offsetsOn("streamlearn.examples")).containsOnly(
                Map.entry(new TopicPartition("streamlearn.examples", 0), 60L),
                Map.entry(new TopicPartition("streamlearn.examples", 1), 51L));
    }

    @Test
    void freshAndInitFromAreExplicitAndReadFromTheCommittedOffsets() {
        publish("streamlearn.examples", true);
        assertStart(StartingPoint.choose(config().optFresh(true).build()), StartingPoint.Kind.FRESH, 0);
        assertStart(StartingPoint.choose(config().optInitFromVersion(1).build()), StartingPoint.Kind.WARM_START, 1);
    }

    @Test
    void aSnapshotWithoutResumableStateIsAWarmStartFromItsParameters() {
        publish("streamlearn.examples", false);
        assertStart(StartingPoint.choose(config().build()), StartingPoint.Kind.WARM_START, 1);
    }

    @Test
    void aSnapshotOfAnotherTopicResumesItsStateButNotItsOffsets() {
        publish("other.examples", true);
        StartingPoint start = StartingPoint.choose(config().build());
        assertThat(start.kind()).isEqualTo(StartingPoint.Kind.RESUME);
        assertThat(start.offsetsOn("streamlearn.examples")).isEmpty();
    }
}
