package io.streamlearn.core.testkit;

import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.Features;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.ToDoubleBiFunction;

/** A separable stream for tests that must learn: Gaussian blobs in 4 dimensions, reproducible from a seed. */
public final class Blobs {
    private Blobs() {}

    /** {@code n} examples of three blobs (standard deviation 0.5), class {@code k} around 3 on axis {@code k}. */
    public static List<Example> three(int n, long seed, String idPrefix) {
        return of(n, seed, idPrefix, 3, (label, d) -> d == label ? 3 : 0);
    }

    /** {@code n} examples of {@code classes} blobs (standard deviation 0.5) around {@code mean(label, dimension)}. */
    public static List<Example> of(int n, long seed, String idPrefix, int classes,
            ToDoubleBiFunction<Integer, Integer> mean) {
        Random r = new Random(seed);
        List<Example> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int label = r.nextInt(classes);
            float[] x = new float[4];
            for (int d = 0; d < 4; d++) {
                x[d] = (float) (r.nextGaussian() * 0.5 + mean.applyAsDouble(label, d));
            }
            out.add(Example.labeled(idPrefix + i, Features.ofFloats(x), label));
        }
        return out;
    }
}
