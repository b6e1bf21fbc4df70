package io.streamlearn.trainer.learn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoopTranslator;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.Features;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.model.NetworkBuilder;
import io.streamlearn.core.model.OptimizerSpec;
import io.streamlearn.core.snapshot.SnapshotDraft;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.SnapshotStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parameters and optimizer state survive a checkpoint exactly; snapshots load in plain DJL. */
class CheckpointedLearningTest {
    private static final List<Example> STREAM = OnlineLearnerTest.blobs(32 * 40, 21, "e");
    private static final List<Example> PROBE = OnlineLearnerTest.blobs(100, 22, "p");

    @Test
    void resumingFromSavedParametersAndOptimizerStateLearnsExactlyAsWithoutInterruption() {
        for (OptimizerSpec o : List.of(OptimizerSpec.adam(0.01f), OptimizerSpec.sgd(0.05f, 0.9f),
                OptimizerSpec.adagrad(0.1f))) {
            ModelSpec spec = OnlineLearnerTest.SPEC.withOptimizer(o);
            try (OnlineLearner uninterrupted = new OnlineLearner(spec, Device.cpu(), 0.1, 100, null)) {
                byte[] params = null;
                byte[] optimizer = null;
                for (int i = 0; i < STREAM.size(); i += 32) {
                    if (i == 32 * 20) {
                        params = uninterrupted.saveParameters();
                        optimizer = uninterrupted.saveOptimizerState();
                    }
                    uninterrupted.step(STREAM.subList(i, i + 32));
                }
                try (OnlineLearner resumed = new OnlineLearner(spec, Device.cpu(), 0.1, 100, params, optimizer)) {
                    for (int i = 32 * 20; i < STREAM.size(); i += 32) {
                        resumed.step(STREAM.subList(i, i + 32));
                    }
                    assertThat(resumed.logits(PROBE)).as(o.type()).containsExactly(uninterrupted.logits(PROBE));
                }
            }
        }
    }

    @Test
    void aStepWhoseLossIsNotFiniteIsSkippedAndTheParametersReturnToTheLastGoodState() {
        ModelSpec spec = OnlineLearnerTest.SPEC.withOptimizer(OptimizerSpec.adam(0.01f));
        try (OnlineLearner learner = new OnlineLearner(spec, Device.cpu(), 0.0, 100, null)) {
            byte[] lastGood = null;
            for (int i = 0; i < 32 * 10; i += 32) {
                lastGood = learner.saveParameters();
                learner.step(STREAM.subList(i, i + 32));
            }
            float[] huge = {3e38f, 3e38f, -3e38f, 3e38f};
            BatchOutcome o = learner.step(List.of(Example.labeled("x", Features.ofFloats(huge), 0)));
            assertThat(o.stepped()).isFalse();
            assertThat(o.rolledBack()).isTrue();
            assertThat(learner.parametersFinite()).isTrue();
            // The last good state: the parameters that last produced a finite loss (before the 10th step).
            try (OnlineLearner reference = new OnlineLearner(spec, Device.cpu(), 0.0, 100, lastGood)) {
                assertThat(learner.logits(PROBE)).containsExactly(reference.logits(PROBE));
            }
            BatchOutcome next = learner.step(STREAM.subList(320, 352));
            assertThat(next.stepped()).as("training goes on").isTrue();
            assertThat(next.loss()).isFinite();
        }
    }

    @Test
    void aPublishedSnapshotLoadedWithPlainDjlPredictsExactlyWhatTheTrainerPredicted(@TempDir Path dir)
            throws Exception {
        ModelSpec spec = OnlineLearnerTest.SPEC;
        try (OnlineLearner learner = new OnlineLearner(spec, Device.cpu(), 0.0, 100, null)) {
            for (int i = 0; i < 32 * 10; i += 32) {
                learner.step(STREAM.subList(i, i + 32));
            }
            SnapshotStore store = new SnapshotStore(dir);
            SnapshotManifest m = store.publish(new SnapshotDraft(spec, learner.saveParameters(), 320, 10, -1, 0,
                    learner.engineDescription(), "cpu()", Map.of(), Map.of()));
            float[] expected = learner.logits(PROBE);

            // Plain DJL: a block from the spec, Model.load from the snapshot directory, a Predictor.
            try (Model model = Model.newInstance(spec.name())) {
                model.setBlock(NetworkBuilder.build(spec));
                model.load(store.directory(spec.name(), m.version()), spec.name());
                try (Predictor<NDList, NDList> predictor = model.newPredictor(new NoopTranslator());
                        NDManager manager = NDManager.newBaseManager()) {
                    float[] x = new float[PROBE.size() * 4];
                    for (int i = 0; i < PROBE.size(); i++) {
                        for (int d = 0; d < 4; d++) {
                            x[i * 4 + d] = PROBE.get(i).features().get(d);
                        }
                    }
                    NDList out = predictor.predict(new NDList(manager.create(x, new Shape(PROBE.size(), 4))));
                    assertThat(out.singletonOrThrow().toFloatArray()).containsExactly(expected);
                }
            }
        }
    }
}
