package io.streamlearn.serving.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Model;
import io.streamlearn.core.example.Features;
import io.streamlearn.core.model.InputSpec;
import io.streamlearn.core.model.LayerSpec;
import io.streamlearn.core.model.LossKind;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.model.OptimizerSpec;
import io.streamlearn.core.prediction.Prediction;
import io.streamlearn.core.snapshot.ChecksumMismatchException;
import io.streamlearn.core.snapshot.SnapshotException;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.SnapshotStore;
import io.streamlearn.serving.ServingTestKit;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoadedModelTest {
    private static final ModelSpec MLP = ModelSpec.mlp("mlp", 8, 5, 16);

    @Test
    void answersLikeTheModelThatWroteTheSnapshot(@TempDir Path root) {
        SnapshotStore store = new SnapshotStore(root);
        float[] a = ServingTestKit.row(8, 1);
        float[] b = ServingTestKit.row(8, 2);
        float[] expectedA;
        float[] expectedB;
        SnapshotManifest m;
        try (Model source = ServingTestKit.initializedModel(MLP)) {
            m = ServingTestKit.publish(store, MLP, ServingTestKit.paramsOf(source));
            expectedA = ServingTestKit.probabilities(source, a);
            expectedB = ServingTestKit.probabilities(source, b);
        }
        try (LoadedModel model = LoadedModel.load(store, m, 4, 3)) {
            assertThat(model.version()).isEqualTo(1);
            assertThat(model.topK()).isEqualTo(3);
            LoadedModel.Scored[] out = model.predict(List.of(Features.ofFloats(a), Features.ofFloats(b)));
            assertThat(out).hasSize(2);
            assertMatches(out[0], expectedA);
            assertMatches(out[1], expectedB);
        }
    }

    private static void assertMatches(LoadedModel.Scored s, float[] expected) {
        assertThat(s.scores()).hasSize(3);
        assertThat(s.label()).isEqualTo(s.scores().get(0).label());
        int argmax = 0;
        for (int c = 1; c < expected.length; c++) {
            if (expected[c] > expected[argmax]) {
                argmax = c;
            }
        }
        assertThat(s.label()).isEqualTo(argmax);
        float previous = Float.POSITIVE_INFINITY;
        for (Prediction.Score score : s.scores()) {
            assertThat(score.probability()).isCloseTo(expected[score.label()], within(1e-5f));
            assertThat(score.probability()).isLessThanOrEqualTo(previous);
            previous = score.probability();
        }
    }

    @Test
    void aRegressionModelAnswersItsOutputsAsThePredictedValueWithoutSoftmax(@TempDir Path root) throws Exception {
        SnapshotStore store = new SnapshotStore(root);
        ModelSpec regression = new ModelSpec("reg", InputSpec.float32(8), 1, List.of(LayerSpec.dense(6),
                LayerSpec.activation("tanh"), LayerSpec.dense(2)), LossKind.L2, OptimizerSpec.adam(0.01f), 8, 1,
                "xavier", ModelSpec.REGRESSION, 2);
        float[] row = ServingTestKit.row(8, 3);
        float[] expected;
        SnapshotManifest m;
        try (Model source = ServingTestKit.initializedModel(regression);
                ai.djl.ndarray.NDManager nd = source.getNDManager().newSubManager()) {
            m = ServingTestKit.publish(store, regression, ServingTestKit.paramsOf(source));
            expected = source.getBlock().forward(new ai.djl.training.ParameterStore(nd, false), new ai.djl.ndarray.NDList(
                    nd.create(row, new ai.djl.ndarray.types.Shape(1, 8))), false).singletonOrThrow().toFloatArray();
        }
        try (LoadedModel model = LoadedModel.load(store, m, 4, 3)) {
            LoadedModel.Scored s = model.predict(List.of(Features.ofFloats(row)))[0];
            assertThat(s.label()).isEqualTo(Prediction.NO_LABEL);
            assertThat(s.scores()).isEmpty();
            assertThat(s.value()).hasSize(2);
            assertThat(s.value()[0]).isCloseTo(expected[0], within(1e-5f));
            assertThat(s.value()[1]).isCloseTo(expected[1], within(1e-5f));
            Prediction p = new Prediction("r1", s.label(), s.scores(), model.name(), model.version(), 1f, s.value());
            assertThat(p.hasValue()).isTrue();
        }
    }

    @Test
    void bfloat16ScoresBatchesOf32RowsOrMoreCloseToFloat32AndSmallerOnesInFloat32(@TempDir Path root) {
        List<Features> rows = new java.util.ArrayList<>();
        for (int i = 0; i < LoadedModel.BF16_MIN_ROWS + 8; i++) {
            rows.add(Features.ofFloats(ServingTestKit.row(16, i)));
        }
        assertBfloat16CloseToFloat32(new SnapshotStore(root), ModelSpec.mlp("mlp", 16, 5, 32, 32), rows);
    }

    @Test
    void bfloat16RunsConvolutionPoolingAndRunningNormalizationOnUint8Pixels(@TempDir Path root) {
        ModelSpec conv = ModelSpec.fromJson("""
                {"name": "conv", "input": {"shape": [1, 8, 8], "dtype": "uint8", "normalization": "running"},
                 "classes": 4, "layers": [{"type": "conv2d", "filters": 4, "kernel": 3, "padding": 1},
                 {"type": "relu"}, {"type": "max_pool", "kernel": 2, "stride": 2}, {"type": "flatten"},
                 {"type": "dense", "units": 4}], "loss": "softmax_cross_entropy",
                 "optimizer": {"type": "adam", "learning_rate": 0.001}, "batch_size": 8, "seed": 1}""");
        List<Features> rows = randomPixels(64, 3);
        assertBfloat16CloseToFloat32(new SnapshotStore(root), conv, rows);
    }

    @Test
    void bfloat16FoldsThePixelScaleIntoAFirstDenseOrConvolutionLayer(@TempDir Path root) {
        String dense = "[{\"type\": \"dense\", \"units\": 16}, {\"type\": \"relu\"}, {\"type\": \"dense\", \"units\": 4}]";
        String conv = "[{\"type\": \"conv2d\", \"filters\": 4, \"kernel\": 3, \"padding\": 1}, {\"type\": \"relu\"},"
                + " {\"type\": \"flatten\"}, {\"type\": \"dense\", \"units\": 4}]";
        List<Features> rows = randomPixels(64, 9);
        for (String[] net : new String[][] {{"dense", "[64]", dense}, {"conv", "[1, 8, 8]", conv}}) {
            ModelSpec spec = ModelSpec.fromJson("{\"name\": \"" + net[0] + "\", \"input\": {\"shape\": " + net[1]
                    + ", \"dtype\": \"uint8\"}, \"classes\": 4, \"layers\": " + net[2] + ", \"loss\": "
                    + "\"softmax_cross_entropy\", \"optimizer\": {\"type\": \"adam\", \"learning_rate\": 0.001}, "
                    + "\"batch_size\": 8, \"seed\": 1}");
            assertBfloat16CloseToFloat32(new SnapshotStore(root.resolve(net[0])), spec, rows);
        }
    }

    @Test
    void bfloat16NormalizesLargeFloatFeaturesInFloat32BeforeItRounds(@TempDir Path root) {
        // Features 10,000 +- 10: bfloat16's neighbours there are 64 apart, so a running normalization fed rounded
        // features would see noise; it runs in float32 and only its output is cast.
        ModelSpec spec = ModelSpec.fromJson("""
                {"name": "big", "input": {"shape": [8], "normalization": "running"}, "classes": 4,
                 "layers": [{"type": "dense", "units": 16}, {"type": "relu"}, {"type": "dense", "units": 4}],
                 "loss": "softmax_cross_entropy", "optimizer": {"type": "adam", "learning_rate": 0.001},
                 "batch_size": 8, "seed": 1}""");
        byte[] params;
        try (Model source = ServingTestKit.initializedModel(spec)) {
            for (var p : source.getBlock().getParameters()) {
                if (p.getKey().endsWith("runningMean")) {
                    p.getValue().getArray().set(filled(8, 10_000f));
                } else if (p.getKey().endsWith("runningVar")) {
                    p.getValue().getArray().set(filled(8, 100f));
                }
            }
            params = ServingTestKit.paramsOf(source);
        }
        java.util.Random random = new java.util.Random(5);
        List<Features> rows = new java.util.ArrayList<>();
        for (int i = 0; i < LoadedModel.BF16_MIN_ROWS + 8; i++) {
            float[] v = new float[8];
            for (int k = 0; k < v.length; k++) {
                v[k] = 10_000f + (float) random.nextGaussian() * 10f;
            }
            rows.add(Features.ofFloats(v));
        }
        SnapshotStore store = new SnapshotStore(root);
        assertBfloat16CloseToFloat32(store, spec, ServingTestKit.publish(store, spec, params), rows);
    }

    @Test
    void aRegressionModelStaysInFloat32AndBfloat16NeedsBatchesOf32Rows(@TempDir Path root) {
        SnapshotStore store = new SnapshotStore(root);
        ModelSpec regression = new ModelSpec("reg", InputSpec.float32(8), 1, List.of(LayerSpec.dense(6),
                LayerSpec.activation("tanh"), LayerSpec.dense(2)), LossKind.L2, OptimizerSpec.adam(0.01f), 8, 1,
                "xavier", ModelSpec.REGRESSION, 2);
        SnapshotManifest m = ServingTestKit.publish(store, regression);
        try (LoadedModel model = LoadedModel.load(store, m, 64, 1, InferencePrecision.BFLOAT16)) {
            assertThat(model.precision()).as("its values would keep 3 significant digits")
                    .isEqualTo(InferencePrecision.FLOAT32);
        }
        assertThatThrownBy(() -> LoadedModel.load(store, m, LoadedModel.BF16_MIN_ROWS - 1, 1,
                InferencePrecision.BFLOAT16)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxBatch is " + (LoadedModel.BF16_MIN_ROWS - 1));
    }

    /** 40 rows of {@code pixels} seeded random bytes: more than a bfloat16 batch needs. */
    private static List<Features> randomPixels(int pixels, long seed) {
        java.util.Random random = new java.util.Random(seed);
        List<Features> rows = new java.util.ArrayList<>();
        for (int i = 0; i < LoadedModel.BF16_MIN_ROWS + 8; i++) {
            byte[] row = new byte[pixels];
            random.nextBytes(row);
            rows.add(Features.ofUint8(row));
        }
        return rows;
    }

    private static float[] filled(int n, float value) {
        float[] a = new float[n];
        Arrays.fill(a, value);
        return a;
    }

    private static void assertBfloat16CloseToFloat32(SnapshotStore store, ModelSpec spec, List<Features> rows) {
        assertBfloat16CloseToFloat32(store, spec, ServingTestKit.publish(store, spec), rows);
    }

    private static void assertBfloat16CloseToFloat32(SnapshotStore store, ModelSpec spec, SnapshotManifest m,
            List<Features> rows) {
        try (LoadedModel full = LoadedModel.load(store, m, 64, spec.classes());
                LoadedModel reduced = LoadedModel.load(store, m, 64, spec.classes(), InferencePrecision.BFLOAT16)) {
            assertThat(reduced.precision()).isEqualTo(InferencePrecision.BFLOAT16);
            LoadedModel.Scored[] exact = full.predict(rows);
            LoadedModel.Scored[] approx = reduced.predict(rows);
            float largest = 0f;
            for (int r = 0; r < rows.size(); r++) {
                float[] p = byLabel(exact[r]);
                float[] q = byLabel(approx[r]);
                float sum = 0f;
                for (int c = 0; c < p.length; c++) {
                    // bfloat16 keeps 8 bits of precision: each probability within about 0.01.
                    assertThat(q[c]).as("row %d class %d", r, c).isCloseTo(p[c], within(0.01f));
                    largest = Math.max(largest, Math.abs(q[c] - p[c]));
                    sum += q[c];
                }
                assertThat(sum).as("the softmax runs in float32 after the cast back").isCloseTo(1f, within(1e-5f));
            }
            assertThat(largest).as("a bfloat16 forward pass rounds: identical answers mean it ran in float32")
                    .isGreaterThan(0f);

            List<Features> few = rows.subList(0, LoadedModel.BF16_MIN_ROWS - 1);
            LoadedModel.Scored[] fewExact = full.predict(few);
            LoadedModel.Scored[] fewReduced = reduced.predict(few);
            for (int r = 0; r < few.size(); r++) {
                assertThat(byLabel(fewReduced[r])).as("a batch under %d rows runs in float32",
                        LoadedModel.BF16_MIN_ROWS).containsExactly(byLabel(fewExact[r]));
            }
        }
    }

    private static float[] byLabel(LoadedModel.Scored s) {
        float[] p = new float[s.scores().size()];
        for (Prediction.Score score : s.scores()) {
            p[score.label()] = score.probability();
        }
        return p;
    }

    @Test
    void capsTopKAtTheClassCount(@TempDir Path root) {
        SnapshotStore store = new SnapshotStore(root);
        ModelSpec two = ModelSpec.mlp("two", 3, 2);
        try (LoadedModel model = LoadedModel.load(store, ServingTestKit.publish(store, two), 2, 5)) {
            LoadedModel.Scored s = model.predict(List.of(Features.ofFloats(1, 2, 3)))[0];
            assertThat(s.scores()).hasSize(2);
            assertThat(s.scores().get(0).probability() + s.scores().get(1).probability()).isCloseTo(1f, within(1e-5f));
        }
    }

    @Test
    void keepsUint8FeaturesAsBytesAndScalesThemInTheModel(@TempDir Path root) {
        SnapshotStore store = new SnapshotStore(root);
        ModelSpec pixels = new ModelSpec("pixels", InputSpec.uint8(4, 4), 3,
                List.of(LayerSpec.flatten(), LayerSpec.dense(8), LayerSpec.activation("relu"), LayerSpec.dense(3)),
                LossKind.SOFTMAX_CROSS_ENTROPY, OptimizerSpec.adam(1e-3f), 8, 7);
        byte[] bytes = new byte[16];
        float[] scaled = new float[16];
        for (int i = 0; i < 16; i++) {
            bytes[i] = (byte) (i * 16);
            scaled[i] = (i * 16) / 255f;
        }
        float[] expected;
        SnapshotManifest m;
        try (Model source = ServingTestKit.initializedModel(pixels)) {
            m = ServingTestKit.publish(store, pixels, ServingTestKit.paramsOf(source));
            // The float path of the same block: uint8 must give what the scaled floats give.
            expected = ServingTestKit.probabilities(source, times(scaled, 255f));
        }
        try (LoadedModel model = LoadedModel.load(store, m, 2, 3)) {
            LoadedModel.Scored s = model.predict(List.of(Features.ofUint8(bytes)))[0];
            assertMatches(s, expected);
            float[] half = new float[16];
            half[3] = 12.5f;
            float[] over = new float[16];
            over[5] = 300f;
            assertThat(model.rejectReason(Features.ofFloats(half))).startsWith("float32 feature value 12.5 at index 3 "
                    + "is not a uint8 value");
            assertThat(model.rejectReason(Features.ofFloats(over))).startsWith("float32 feature value 300.0 at index 5");
            // Whole numbers 0..255 sent as floats are pixels all the same, and answer like the bytes.
            float[] asFloats = times(scaled, 255f);
            assertThat(model.rejectReason(Features.ofFloats(asFloats))).isNull();
            assertMatches(model.predict(List.of(Features.ofFloats(asFloats)))[0], expected);
        }
    }

    private static float[] times(float[] v, float k) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Math.round(v[i] * k);
        }
        return out;
    }

    @Test
    void refusesARequestWhoseFeatureCountDiffersFromTheSpec(@TempDir Path root) {
        SnapshotStore store = new SnapshotStore(root);
        try (LoadedModel model = LoadedModel.load(store, ServingTestKit.publish(store, MLP), 4, 3)) {
            assertThat(model.rejectReason(Features.ofFloats(new float[7])))
                    .isEqualTo("feature count 7, expected 8 for model mlp v1");
            assertThat(model.rejectReason(Features.ofFloats(1, 2, 3, 4, 5, 6, Float.NaN, 8)))
                    .isEqualTo("non-finite feature value NaN at index 6");
            assertThatThrownBy(() -> model.predict(List.of(Features.ofFloats(new float[8]),
                    Features.ofFloats(new float[9]))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("batch row 1: feature count 9, expected 8 for model mlp v1");
            assertThatThrownBy(() -> model.predict(List.of()))
                    .hasMessageContaining("must be 1..4 (maxBatch)");
        }
    }

    @Test
    void refusesSnapshotWhoseChecksumDoesNotMatch(@TempDir Path root) throws Exception {
        SnapshotStore store = new SnapshotStore(root);
        SnapshotManifest m = ServingTestKit.publish(store, MLP);
        ServingTestKit.corruptParams(store, m);
        assertThatThrownBy(() -> LoadedModel.load(store, m, 4, 3))
                .isInstanceOf(ChecksumMismatchException.class)
                .hasMessageContaining("mlp v1");
    }

    @Test
    void refusesAFolderWithASecondParameterFile(@TempDir Path root) throws Exception {
        SnapshotStore store = new SnapshotStore(root);
        SnapshotManifest m = ServingTestKit.publish(store, MLP);
        // DJL's Model.load(dir) would have loaded this one, the highest epoch, unverified.
        byte[] other;
        try (Model source = ServingTestKit.initializedModel(MLP)) {
            other = ServingTestKit.paramsOf(source);
        }
        java.nio.file.Files.write(store.directory("mlp", 1).resolve("mlp-0001.params"), other);
        assertThatThrownBy(() -> LoadedModel.load(store, m, 4, 3))
                .isInstanceOf(SnapshotException.class)
                .hasMessageContaining("snapshot mlp v1")
                .hasMessageContaining("[mlp-0001.params] besides mlp-0000.params");
    }

    @Test
    void refusesASnapshotWhoseSpecChangedAfterPublication(@TempDir Path root) throws Exception {
        SnapshotStore store = new SnapshotStore(root);
        SnapshotManifest m = ServingTestKit.publish(store, MLP);
        // Same shapes, another activation: the parameters would load and answer differently, unnoticed.
        ModelSpec changed = new ModelSpec("mlp", InputSpec.float32(8), 5, List.of(LayerSpec.dense(16),
                LayerSpec.activation("tanh"), LayerSpec.dense(5)), MLP.loss(), MLP.optimizer(), MLP.batchSize(),
                MLP.seed());
        java.nio.file.Files.writeString(store.directory("mlp", 1).resolve(SnapshotStore.SPEC), changed.toJson());
        assertThatThrownBy(() -> LoadedModel.load(store, m, 4, 3))
                .isInstanceOf(ChecksumMismatchException.class)
                .hasMessageContaining(SnapshotStore.SPEC)
                .hasMessageContaining("but its manifest says " + m.sha256Of(SnapshotStore.SPEC));
    }

    @Test
    void refusesAManifestWhoseSnapshotIsNotInTheStore(@TempDir Path root) {
        SnapshotStore store = new SnapshotStore(root);
        SnapshotManifest m = ServingTestKit.publish(store, MLP);
        SnapshotManifest missing = new SnapshotManifest(m.format(), m.model(), 1L << 62, m.createdMs(),
                m.examplesSeen(), m.stepsSeen(), m.checkpointId(), m.parentVersion(), m.paramsFile(), m.paramsSha256(),
                m.engine(), m.device(), m.metrics(), m.source(), m.streamlearnVersion(), m.sourceOffsets(),
                m.files(), m.storeId(), m.lineageId(), null);
        assertThatThrownBy(() -> LoadedModel.load(store, missing, 4, 3))
                .isInstanceOf(SnapshotException.class)
                .hasMessageContaining("snapshot mlp v" + (1L << 62))
                .hasMessageContaining("does not exist");
    }

    @Test
    void refusesParametersThatDoNotFitTheSpec(@TempDir Path root) {
        SnapshotStore store = new SnapshotStore(root);
        byte[] otherShape;
        try (Model wide = ServingTestKit.initializedModel(ModelSpec.mlp("mlp", 8, 5, 64))) {
            otherShape = ServingTestKit.paramsOf(wide);
        }
        SnapshotManifest m = ServingTestKit.publish(store, MLP, otherShape);
        assertThatThrownBy(() -> LoadedModel.load(store, m, 4, 3))
                .isInstanceOf(SnapshotException.class)
                .hasMessageContaining("snapshot mlp v1")
                .hasMessageContaining("do not fit the network");
    }

    @Test
    void freesTheModelOnlyAfterTheLastInFlightBatchReleasesIt(@TempDir Path root) {
        SnapshotStore store = new SnapshotStore(root);
        LoadedModel model = LoadedModel.load(store, ServingTestKit.publish(store, MLP), 4, 3);
        assertThat(model.tryRetain()).isTrue();
        model.close();
        assertThat(model.isFreed()).isFalse();
        assertThat(model.predict(List.of(Features.ofFloats(new float[8])))).hasSize(1);
        model.release();
        assertThat(model.isFreed()).isTrue();
        assertThat(model.tryRetain()).isFalse();
        model.close();
        assertThat(model.isFreed()).isTrue();
    }
}
