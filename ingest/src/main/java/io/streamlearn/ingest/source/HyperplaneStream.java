package io.streamlearn.ingest.source;

import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.Features;
import java.util.SplittableRandom;

/**
 * Rotating hyperplane (Hulten, Spencer and Domingos, KDD 2001; MOA's {@code HyperplaneGenerator}): features
 * uniform in [0,1]^d, label 1 when {@code sum w_i x_i >= sum w_i / 2}. Gradual drift: after every example
 * the first {@code driftFeatures} weights move by {@code magnitude} in their direction, and each direction
 * reverses with probability {@code 0.1}. Labels flip with probability {@code noise}.
 */
public final class HyperplaneStream extends GeneratedSource {
    private final int features;
    private final int driftFeatures;
    private final double magnitude;
    private final double noise;
    private final double[] weights;
    private final int[] direction;
    private final SplittableRandom random;

    /**
     * @param features      d >= 2
     * @param driftFeatures weights that drift, 0..d
     * @param magnitude     change of a drifting weight per example (0.001 is MOA's usual "moderate")
     * @param noise         label noise 0..1
     * @param seed          seed of the weights and the samples
     */
    public HyperplaneStream(int features, int driftFeatures, double magnitude, double noise, long seed, long limit,
            String idPrefix) {
        super("hyperplane", limit, idPrefix);
        if (features < 2 || driftFeatures < 0 || driftFeatures > features) {
            throw new IllegalArgumentException("hyperplane needs >= 2 features and 0..features drifting ones, got "
                    + features + " and " + driftFeatures);
        }
        if (!(noise >= 0 && noise <= 1) || !(magnitude >= 0)) {
            throw new IllegalArgumentException("hyperplane noise " + noise + " must be 0..1 and magnitude "
                    + magnitude + " >= 0");
        }
        this.features = features;
        this.driftFeatures = driftFeatures;
        this.magnitude = magnitude;
        this.noise = noise;
        this.random = new SplittableRandom(seed);
        this.weights = new double[features];
        this.direction = new int[features];
        for (int i = 0; i < features; i++) {
            weights[i] = random.nextDouble();
            direction[i] = random.nextBoolean() ? 1 : -1;
        }
    }

    @Override
    protected Example generate(long index, String id) {
        float[] x = new float[features];
        double sum = 0;
        double total = 0;
        for (int i = 0; i < features; i++) {
            x[i] = (float) random.nextDouble();
            sum += weights[i] * x[i];
            total += weights[i];
        }
        int label = sum >= total * 0.5 ? 1 : 0;
        if (random.nextDouble() < noise) {
            label = 1 - label;
        }
        for (int i = 0; i < driftFeatures; i++) {
            weights[i] += direction[i] * magnitude;
            if (random.nextDouble() < 0.1) {
                direction[i] = -direction[i];
            }
        }
        return Example.labeled(id, Features.ofFloats(x), label);
    }

    /** The current weight of feature {@code i} (drifts as examples are generated). */
    public double weight(int i) {
        return weights[i];
    }
}
