package io.streamlearn.core.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlearn.core.feedback.Feedback;
import io.streamlearn.core.feedback.FeedbackJsonCodec;
import io.streamlearn.core.model.LossKind;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.prediction.Prediction;
import io.streamlearn.core.prediction.PredictionBinaryCodec;
import io.streamlearn.core.prediction.PredictionCodec;
import io.streamlearn.core.prediction.PredictionJsonCodec;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Regression targets, weights and predicted values on the wire: both codecs, both binary layout versions. */
class RegressionFormatsTest {
    /**
     * An example as layout version 1 wrote it before targets existed: id "g1", float32, label 3, weight 2,
     * features [1.5, -2]. Kept byte for byte: a release that reads version 2 must still read these.
     */
    private static final String GOLDEN_V1 = "534c0102050200" + "6731" + "03000000" + "00000040" + "02000000"
            + "0000c03f" + "000000c0";
    /** The same id and features as version 2 writes a regression example: target [0.5, 4], weight 2, no label. */
    private static final String GOLDEN_V2 = "534c0202090200" + "6731" + "0200" + "0000003f" + "00008040" + "00000040"
            + "02000000" + "0000c03f" + "000000c0";

    @Test
    void readsTheVersion1LayoutAndStillWritesItForExamplesWithoutATarget() {
        byte[] v1 = HexFormat.of().parseHex(GOLDEN_V1);
        Example e = ExampleBinaryCodec.decode(v1);
        assertThat(e).isEqualTo(new Example("g1", Features.ofFloats(new float[] {1.5f, -2f}), 3, 2f,
                Example.NO_TIMESTAMP));
        assertThat(e.hasTarget()).isFalse();
        assertThat(ExampleBinaryCodec.encode(e)).isEqualTo(v1);
    }

    @Test
    void writesAndReadsTheVersion2LayoutForATarget() {
        Example e = new Example("g1", Features.ofFloats(new float[] {1.5f, -2f}), Example.NO_LABEL,
                new float[] {0.5f, 4f}, 2f, Example.NO_TIMESTAMP, null);
        byte[] bytes = ExampleBinaryCodec.encode(e);
        assertThat(HexFormat.of().formatHex(bytes)).isEqualTo(GOLDEN_V2);
        assertThat(ExampleBinaryCodec.decode(bytes)).isEqualTo(e);
        assertThat(ExampleBinaryCodec.decode(bytes).target()).containsExactly(0.5f, 4f);
    }

    @Test
    void refusesATargetFlagInVersion1AndAnEmptyTarget() {
        byte[] v1WithTargetFlag = HexFormat.of().parseHex(GOLDEN_V2);
        v1WithTargetFlag[2] = 1;
        assertThatThrownBy(() -> ExampleBinaryCodec.decode(v1WithTargetFlag))
                .isInstanceOf(CodecException.class).hasMessageContaining("unknown flag bits 0x9 for layout version 1");
        byte[] emptyTarget = HexFormat.of().parseHex("534c020208020067310000" + "00000000");
        assertThatThrownBy(() -> ExampleBinaryCodec.decode(emptyTarget))
                .isInstanceOf(CodecException.class).hasMessageContaining("target count 0");
        byte[] v3 = HexFormat.of().parseHex(GOLDEN_V1);
        v3[2] = 3;
        assertThatThrownBy(() -> ExampleBinaryCodec.decode(v3))
                .isInstanceOf(CodecException.class).hasMessageContaining("knows versions 1 and 2");
    }

    @Test
    void roundTripsGeneratedRegressionExamplesThroughBothCodecs() {
        Random r = new Random(11);
        for (int i = 0; i < 1000; i++) {
            float[] x = new float[r.nextInt(20)];
            for (int k = 0; k < x.length; k++) {
                x[k] = (float) r.nextGaussian();
            }
            float[] y = new float[1 + r.nextInt(r.nextBoolean() ? 1 : 8)];
            for (int k = 0; k < y.length; k++) {
                y[k] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(12) - 6));
            }
            Example e = new Example("r" + i, Features.ofFloats(x), r.nextBoolean() ? Example.NO_LABEL : r.nextInt(9),
                    y, r.nextBoolean() ? 1f : r.nextFloat() * 4, r.nextBoolean() ? Example.NO_TIMESTAMP : r.nextLong(),
                    null);
            assertThat(ExampleBinaryCodec.decode(ExampleBinaryCodec.encode(e))).isEqualTo(e);
            assertThat(ExampleJsonCodec.decode(ExampleJsonCodec.encode(e))).isEqualTo(e);
            assertThat(ExampleCodec.decode(ExampleBinaryCodec.encode(e), (String) null)).isEqualTo(e);
        }
    }

    @Test
    void readsATargetAsANumberOrAnArrayInJson() {
        Example scalar = ExampleJsonCodec.decode("{\"id\":\"a\",\"features\":[1,2],\"target\":1.5,\"weight\":2}"
                .getBytes(StandardCharsets.UTF_8));
        assertThat(scalar.target()).containsExactly(1.5f);
        assertThat(scalar.weight()).isEqualTo(2f);
        assertThat(scalar.hasLabel()).isFalse();
        assertThat(new String(ExampleJsonCodec.encode(scalar), StandardCharsets.UTF_8))
                .contains("\"target\":1.5").doesNotContain("[1.5]");
        Example vector = ExampleJsonCodec.decode("{\"id\":\"b\",\"features\":[1],\"target\":[1,-2.5]}"
                .getBytes(StandardCharsets.UTF_8));
        assertThat(vector.target()).containsExactly(1f, -2.5f);
        assertThat(new String(ExampleJsonCodec.encode(vector), StandardCharsets.UTF_8)).contains("\"target\":[1.0,-2.5]");
        for (String bad : List.of("\"x\"", "[]", "[1,\"x\"]", "{}")) {
            assertThatThrownBy(() -> ExampleJsonCodec.decode(("{\"id\":\"c\",\"features\":[1],\"target\":" + bad + "}")
                    .getBytes(StandardCharsets.UTF_8))).isInstanceOf(CodecException.class).hasMessageContaining("target");
        }
    }

    @Test
    void aRegressionSchemaAsksForATargetOfItsSizeAndIgnoresLabels() {
        ExampleSchema schema = ModelSpec.linearRegression("lin", 2, 1).schema();
        assertThat(schema.isRegression()).isTrue();
        Features f = Features.ofFloats(new float[] {1, 2});
        assertThat(schema.problem(Example.withTarget("a", f, 3f))).isNull();
        assertThat(schema.problem(Example.labeled("b", f, 0))).isEqualTo("no target: a regression training example "
                + "needs 'target'");
        assertThat(schema.problem(Example.withTarget("c", f, 1f, 2f))).isEqualTo("target has 2 values, expected 1");
        assertThat(schema.problem(Example.withTarget("d", f, Float.NaN))).isEqualTo("target value 0 is NaN, expected "
                + "a finite number");
        ExampleSchema classes = new ExampleSchema(2, FeatureType.FLOAT32, 3, 1000);
        assertThat(classes.problem(Example.withTarget("e", f, 3f))).isEqualTo("no label: a training example needs "
                + "'label'");
    }

    @Test
    void feedbackCarriesATargetForRegression() {
        Feedback f = FeedbackJsonCodec.decode(null, "{\"id\":\"r1\",\"target\":2.5}".getBytes(StandardCharsets.UTF_8));
        assertThat(f).isEqualTo(Feedback.ofTarget("r1", 2.5f));
        assertThat(f.hasTarget()).isTrue();
        assertThat(FeedbackJsonCodec.decode(null, FeedbackJsonCodec.encode(Feedback.ofTarget("r2", 1f, -1f))))
                .isEqualTo(Feedback.ofTarget("r2", 1f, -1f));
        assertThat(FeedbackJsonCodec.decode("k".getBytes(StandardCharsets.UTF_8), "{\"label\":3}"
                .getBytes(StandardCharsets.UTF_8))).isEqualTo(new Feedback("k", 3));
        assertThatThrownBy(() -> FeedbackJsonCodec.decode(null, "{\"id\":\"r\",\"target\":\"x\"}"
                .getBytes(StandardCharsets.UTF_8))).hasMessageContaining("'target' must be a number");
    }

    @Test
    void predictionsCarryThePredictedValueInBothFormsAndClassifiersStayOnVersion1() {
        Prediction value = Prediction.ofValue("r1", new float[] {2.5f}, "lin", 3, 1.25f);
        byte[] binary = PredictionBinaryCodec.encode(value);
        assertThat(binary[2]).isEqualTo((byte) PredictionBinaryCodec.VERSION);
        assertThat(PredictionCodec.decode(binary, (String) null)).isEqualTo(value);
        assertThat(PredictionJsonCodec.decode(PredictionJsonCodec.encode(value))).isEqualTo(value);
        assertThat(new String(PredictionJsonCodec.encode(value), StandardCharsets.UTF_8)).contains("\"value\":2.5");
        Prediction vector = Prediction.ofValue("r2", new float[] {1f, -3f}, "lin", 3, 0f);
        assertThat(PredictionBinaryCodec.decode(PredictionBinaryCodec.encode(vector))).isEqualTo(vector);
        assertThat(PredictionJsonCodec.decode(PredictionJsonCodec.encode(vector))).isEqualTo(vector);

        Prediction label = new Prediction("r3", 2, List.of(new Prediction.Score(2, 0.9f)), "mlp", 1, 0.5f);
        byte[] v1 = PredictionBinaryCodec.encode(label);
        assertThat(v1[2]).isEqualTo((byte) PredictionBinaryCodec.VERSION_1);
        assertThat(PredictionBinaryCodec.decode(v1)).isEqualTo(label);
        assertThat(new String(PredictionJsonCodec.encode(label), StandardCharsets.UTF_8)).doesNotContain("value");
        assertThatThrownBy(() -> new Prediction("r4", -1, List.of(), "mlp", 1, 0f))
                .hasMessageContaining("label -1 is negative");
    }

    @Test
    void aSpecSaysWhetherItIsRegressionAndAClassifierSpecReadsAsBefore() {
        ModelSpec reg = ModelSpec.fromJson("{\"name\":\"lin\",\"input\":{\"shape\":[10]},\"task\":\"regression\","
                + "\"layers\":[{\"type\":\"dense\",\"units\":1}],\"loss\":\"huber\"}");
        assertThat(reg.isRegression()).isTrue();
        assertThat(reg.targets()).isEqualTo(1);
        assertThat(reg.outputUnits()).isEqualTo(1);
        assertThat(reg.loss()).isEqualTo(LossKind.HUBER);
        assertThat(ModelSpec.fromJson(reg.toJson())).isEqualTo(reg);
        ModelSpec defaultLoss = ModelSpec.fromJson("{\"name\":\"lin\",\"input\":{\"shape\":[10]},\"task\":"
                + "\"regression\",\"targets\":3,\"layers\":[{\"type\":\"dense\",\"units\":3}]}");
        assertThat(defaultLoss.loss()).isEqualTo(LossKind.L2);
        assertThat(defaultLoss.outputUnits()).isEqualTo(3);

        ModelSpec mlp = ModelSpec.mlp("mlp", 4, 3, 8).withLoss(LossKind.L2);
        assertThat(mlp.isRegression()).isFalse();
        assertThat(mlp.outputUnits()).isEqualTo(3);
        assertThat(mlp.toJson()).doesNotContain("task").doesNotContain("targets");

        assertThatThrownBy(() -> ModelSpec.fromJson("{\"name\":\"x\",\"input\":{\"shape\":[2]},\"task\":\"regression\","
                + "\"layers\":[{\"type\":\"dense\",\"units\":1}],\"loss\":\"softmax_cross_entropy\"}"))
                .hasMessageContaining("a regression model needs l2 or huber");
        assertThatThrownBy(() -> ModelSpec.fromJson("{\"name\":\"x\",\"input\":{\"shape\":[2]},\"classes\":2,"
                + "\"layers\":[{\"type\":\"dense\",\"units\":2}],\"loss\":\"huber\"}"))
                .hasMessageContaining("huber is a regression loss");
        assertThatThrownBy(() -> ModelSpec.fromJson("{\"name\":\"x\",\"input\":{\"shape\":[2]},\"task\":\"ranking\","
                + "\"layers\":[{\"type\":\"dense\",\"units\":2}]}"))
                .hasMessageContaining("task 'ranking' must be classification or regression");
    }
}
