package io.streamlearn.trainer.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.Features;
import io.streamlearn.core.io.FileTrees;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.model.OptimizerSpec;
import io.streamlearn.core.snapshot.SnapshotDraft;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.SnapshotStore;
import io.streamlearn.trainer.job.StartingPoint;
import io.streamlearn.trainer.learn.LearningMetrics;
import io.streamlearn.trainer.learn.OnlineLearner;
import io.streamlearn.trainer.learn.OnlineLearnerTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Formats written by a released trainer must still be read by every later one: {@link TrainerState} blobs (formats
 * 1 and 2) and snapshot folders with the trainer's resumable state (manifests v3 and v4), all committed under test
 * resources. A format change bumps the version and keeps reading these. {@code -Dstreamlearn.update.golden=true}
 * rewrites the current format's own golden files only (format 2, manifest v4).
 */
class GoldenFormatsTest {
    private static final Path RESOURCES = Path.of("src/test/resources/io/streamlearn/trainer/state");
    private static final Path BLOB_V1 = RESOURCES.resolve("golden-trainer-state-v1.bin");
    private static final Path BLOB = RESOURCES.resolve("golden-trainer-state-v2.bin");
    private static final Path SNAPSHOT_STORE_V3 = RESOURCES.resolve("golden-snapshot-v3");
    private static final Path SNAPSHOT_STORE = RESOURCES.resolve("golden-snapshot-v4");
    private static final String LINEAGE = "0b7d6a52-golden-lineage";
    private static final ModelSpec SPEC = ModelSpec.mlp("blobs", 4, 3, 16).withOptimizer(OptimizerSpec.adam(0.01f));

    /** The state the golden blob holds, built field by field so the test can say what each one must read as. */
    private static TrainerState goldenState() {
        LearningMetrics m = new LearningMetrics(3);
        m.examples = 5400;
        m.steps = 169;
        m.skippedSteps = 1;
        m.rollbacks = 1;
        m.correct = 5100;
        m.heldOut = 600;
        m.heldOutCorrect = 580;
        m.windowWrites = 5400;
        m.fadingCorrect = 950.5;
        m.fadingCount = 999.0;
        m.holdoutFadingCorrect = 94.25;
        m.holdoutFadingCount = 99.0;
        m.championFadingCorrect = 90.0;
        m.championFadingCount = 98.0;
        m.lastLoss = 0.125;
        m.fadingLoss = 0.0871;
        m.tp[2] = 300.5;
        m.fp[1] = 7.25;
        m.fn[0] = 3.0;
        m.window[17] = 1;
        List<Example> buffered = List.of(Example.labeled("b1", Features.ofFloats(new float[] {1, 2, 3, 4}), 2),
                Example.labeled("b2", Features.ofFloats(new float[] {0.5f, -1, 0, 9}), 0));
        return new TrainerState(new byte[] {1, 2, 3, 4, 5}, new byte[] {9, 8, 7}, m, buffered, 3, new byte[] {42},
                LINEAGE);
    }

    @Test
    void theGoldenTrainerStateBlobOfFormat1StillDecodesWithoutALineage() throws Exception {
        TrainerState s = TrainerState.decode(Files.readAllBytes(BLOB_V1));
        assertMatchesGoldenState(s);
        assertThat(s.lineageId()).as("format 1 had no lineage: unknown").isNull();
    }

    @Test
    void theGoldenTrainerStateBlobOfFormat2StillDecodesWithItsLineage() throws Exception {
        if (Boolean.getBoolean("streamlearn.update.golden")) {
            Files.write(BLOB, goldenState().encode());
        }
        TrainerState s = TrainerState.decode(Files.readAllBytes(BLOB));
        assertMatchesGoldenState(s);
        assertThat(s.lineageId()).isEqualTo(LINEAGE);
        assertThat(TrainerState.decode(s.encode())).usingRecursiveComparison().isEqualTo(s);
    }

    private static void assertMatchesGoldenState(TrainerState s) {
        TrainerState expected = goldenState();
        assertThat(s.params()).containsExactly(1, 2, 3, 4, 5);
        assertThat(s.optimizerState()).containsExactly(9, 8, 7);
        assertThat(s.driftState()).containsExactly(42);
        assertThat(s.parentVersion()).isEqualTo(3);
        assertThat(s.buffered()).isEqualTo(expected.buffered());
        assertThat(s.metrics()).usingRecursiveComparison().isEqualTo(expected.metrics());
    }

    @Test
    void refusesABlobOfAnUnknownFormatVersion() throws Exception {
        byte[] blob = Files.readAllBytes(BLOB_V1);
        blob[7] = 99;
        assertThatThrownBy(() -> TrainerState.decode(blob)).hasMessageContaining("trainer state format 99");
    }

    @Test
    void theGoldenSnapshotOfManifestV3StillResumes(@TempDir Path tmp) throws Exception {
        TrainerState s = resumeGolden(SNAPSHOT_STORE_V3, "streamlearn.snapshot.v3", tmp);
        assertThat(s.lineageId()).as("v3 had no lineage: the trainer mints one").isNull();
    }

    @Test
    void theGoldenSnapshotOfManifestV4ResumesItsLineage(@TempDir Path tmp) throws Exception {
        if (Boolean.getBoolean("streamlearn.update.golden")) {
            writeGoldenSnapshot();
        }
        TrainerState s = resumeGolden(SNAPSHOT_STORE, "streamlearn.snapshot.v4", tmp);
        assertThat(s.lineageId()).isEqualTo(LINEAGE);
    }

    private TrainerState resumeGolden(Path golden, String format, Path tmp) throws Exception {
        Path store = tmp.resolve("store");
        copy(golden, store);
        SnapshotStore snapshots = new SnapshotStore(store);
        SnapshotManifest m = snapshots.manifest("blobs", 1);
        assertThat(m.format()).isEqualTo(format);
        assertThat(m.files()).containsKeys(m.paramsFile(), SnapshotStore.SPEC, StartingPoint.STATE_FILE);
        snapshots.verify(m);

        StartingPoint start = new StartingPoint(StartingPoint.Kind.RESUME, 1, m.sourceOffsets(), m.lineageId());
        TrainerState s = start.resumedState(snapshots, "blobs");
        assertThat(s.parentVersion()).isEqualTo(1);
        assertThat(s.metrics().examples).isEqualTo(m.examplesSeen());
        assertThat(s.metrics().examples + s.metrics().heldOut + s.buffered().size())
                .as("trained + held out + buffered = the examples the offsets cover")
                .isEqualTo(m.sourceOffsets().values().stream().mapToLong(Long::longValue).sum());
        List<Example> probe = OnlineLearnerTest.blobs(300, 5, "p");
        try (OnlineLearner learner = new OnlineLearner(snapshots.spec("blobs", 1), Device.cpu(), 0.0, 300,
                s.params(), s.optimizerState())) {
            int[] predicted = learner.predict(probe);
            int correct = 0;
            for (int i = 0; i < probe.size(); i++) {
                correct += predicted[i] == probe.get(i).label() ? 1 : 0;
            }
            assertThat(correct).as("the resumed parameters are the trained ones").isGreaterThan(270);
            assertThat(learner.step(OnlineLearnerTest.blobs(32, 6, "q")).stepped())
                    .as("the optimizer state restores and training goes on").isTrue();
        }
        return s;
    }

    /** Trains a little and writes the snapshot as the trainer operator does: parameters apart from the state. */
    private static void writeGoldenSnapshot() throws Exception {
        FileTrees.deleteRecursively(SNAPSHOT_STORE);
        List<Example> stream = OnlineLearnerTest.blobs(32 * 30 + 3, 4, "g");
        LearningMetrics metrics = new LearningMetrics(3);
        try (OnlineLearner learner = new OnlineLearner(SPEC, Device.cpu(), 0.1, 32, null)) {
            for (int i = 0; i + 32 <= stream.size(); i += 32) {
                metrics.record(learner.step(stream.subList(i, i + 32)));
            }
            List<Example> buffered = stream.subList(32 * 30, stream.size());
            byte[] state = new TrainerState(new byte[0], learner.saveOptimizerState(), metrics, buffered, 0,
                    new byte[0], LINEAGE).encode();
            new SnapshotStore(SNAPSHOT_STORE).publish(new SnapshotDraft(SPEC, learner.saveParameters(),
                    metrics.examples, metrics.steps, 3, 0, learner.engineDescription(), "cpu()",
                    metrics.toManifestMetrics(), Map.of("topic", "streamlearn.examples"),
                    new TreeMap<>(Map.of(0, 500L, 1, (long) stream.size() - 500)),
                    new TreeMap<>(Map.of(StartingPoint.STATE_FILE, state)), LINEAGE));
        }
    }

    private static void copy(Path from, Path to) throws Exception {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
