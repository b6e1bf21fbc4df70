package io.streamlearn.trainer.learn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.Features;
import io.streamlearn.core.model.InputSpec;
import io.streamlearn.core.model.LayerSpec;
import io.streamlearn.core.model.LossKind;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.model.OptimizerSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The textbook networks train on small problems: LeNet-5 from specs/, running input normalization. */
class NetworksTest {

    /** 28x28 uint8 images with a bright 8x8 square in one of four quadrants; the quadrant is the label. */
    private static List<Example> quadrants(int n, long seed) {
        Random r = new Random(seed);
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int label = r.nextInt(4);
            byte[] px = new byte[784];
            for (int k = 0; k < px.length; k++) {
                px[k] = (byte) r.nextInt(40);
            }
            int top = (label / 2) * 14 + r.nextInt(6);
            int left = (label % 2) * 14 + r.nextInt(6);
            for (int y = top; y < top + 8; y++) {
                for (int x = left; x < left + 8; x++) {
                    px[y * 28 + x] = (byte) (200 + r.nextInt(55));
                }
            }
            out.add(Example.labeled("q" + i, Features.ofUint8(px), label));
        }
        return out;
    }

    @Test
    void lenet5FromTheShippedSpecLearnsImages() throws IOException {
        ModelSpec lenet = ModelSpec.read(Path.of(System.getProperty("user.dir")).getParent().resolve("specs/lenet5.json"));
        assertThat(lenet.input().shape()).containsExactly(1, 28, 28);
        List<Example> data = quadrants(32 * 40, 3);
        LearningMetrics m = new LearningMetrics(10);
        try (OnlineLearner learner = new OnlineLearner(lenet, Device.cpu(), 0.0, 32, null)) {
            for (int i = 0; i < data.size(); i += 32) {
                m.record(learner.step(data.subList(i, i + 32)));
            }
        }
        assertThat(m.windowAccuracy()).isGreaterThan(0.9);
    }

    @Test
    void runningNormalizationLearnsFeaturesFarFromZero() {
        // Two blobs around 100 with unit spread: raw values at this rate make SGD diverge; centred and
        // scaled by running statistics (which converge from zero over about 1/(1-0.9) = 10 batches
        // per decade of offset) they are easy.
        Random r = new Random(9);
        List<Example> data = new ArrayList<>();
        for (int i = 0; i < 32 * 120; i++) {
            int label = r.nextInt(2);
            float[] x = new float[3];
            for (int d = 0; d < 3; d++) {
                x[d] = (float) (100 + r.nextGaussian() + (label == 1 ? 2 : -2));
            }
            data.add(Example.labeled("n" + i, Features.ofFloats(x), label));
        }
        ModelSpec spec = new ModelSpec("norm", InputSpec.float32(3).withRunningNormalization(), 2,
                List.of(LayerSpec.dense(8), LayerSpec.activation("relu"), LayerSpec.dense(2)),
                LossKind.SOFTMAX_CROSS_ENTROPY, OptimizerSpec.sgd(0.1f, 0.9f), 32, 1, "he");
        LearningMetrics m = new LearningMetrics(2);
        try (OnlineLearner learner = new OnlineLearner(spec, Device.cpu(), 0.0, 32, null)) {
            for (int i = 0; i < data.size(); i += 32) {
                m.record(learner.step(data.subList(i, i + 32)));
            }
            assertThat(m.windowAccuracy()).isGreaterThan(0.95);
            assertThat(m.skippedSteps).isZero();
        }
    }
}
