package io.streamlearn.trainer.learn;

import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.Features;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Regression streams for tests: a known linear function of standard normal features with Gaussian noise. */
public final class RegressionStreams {
    private RegressionStreams() {}

    /** {@code n} rows of y = w·x + b + noise on 10 standard normal features, noise 0.1 × the target's std. */
    public static List<Example> linear(int n, long seed, String prefix) {
        Random r = new Random(seed);
        double[] w = {1.5, -2, 0.5, 3, -1, 0.8, 2.2, -0.3, 1.1, -1.7};
        double targetStd = 0;
        for (double v : w) {
            targetStd += v * v;
        }
        targetStd = Math.sqrt(targetStd);
        List<Example> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            float[] x = new float[10];
            double y = 4;
            for (int k = 0; k < 10; k++) {
                x[k] = (float) r.nextGaussian();
                y += w[k] * x[k];
            }
            y += 0.1 * targetStd * r.nextGaussian();
            out.add(Example.withTarget(prefix + i, Features.ofFloats(x), (float) y));
        }
        return out;
    }
}
