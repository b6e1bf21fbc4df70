package io.streamlearn.ingest.source;

import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.Features;
import java.util.SplittableRandom;

/**
 * Random RBF with moving centroids (MOA's {@code RandomRBFGeneratorDrift}): {@code centroids} Gaussian
 * blobs in [0,1]^d, each with a class, a weight and a spread; an example picks a blob by weight and lies
 * at a random direction from its centre, at a Gaussian distance scaled by the spread. Drift: every
 * centroid moves {@code speed} per example along its own direction, bouncing off the unit cube.
 */
public final class RbfStream extends GeneratedSource {
    private final int features;
    private final double speed;
    private final double[][] centre;
    private final double[][] velocity;
    private final int[] classOf;
    private final double[] spread;
    private final double[] cumulativeWeight;
    private final SplittableRandom random;

    public RbfStream(int features, int classes, int centroids, double speed, long seed, long limit, String idPrefix) {
        super("rbf", limit, idPrefix);
        if (features < 1 || classes < 2 || centroids < classes || !(speed >= 0)) {
            throw new IllegalArgumentException("rbf needs >= 1 feature, >= 2 classes, at least one centroid per "
                    + "class and speed >= 0, got " + features + ", " + classes + ", " + centroids + ", " + speed);
        }
        this.features = features;
        this.speed = speed;
        SplittableRandom model = new SplittableRandom(seed);
        this.centre = new double[centroids][features];
        this.velocity = new double[centroids][features];
        this.classOf = new int[centroids];
        this.spread = new double[centroids];
        this.cumulativeWeight = new double[centroids];
        double total = 0;
        for (int c = 0; c < centroids; c++) {
            double norm = 0;
            for (int d = 0; d < features; d++) {
                centre[c][d] = model.nextDouble();
                velocity[c][d] = model.nextGaussian();
                norm += velocity[c][d] * velocity[c][d];
            }
            norm = Math.sqrt(norm);
            for (int d = 0; d < features; d++) {
                velocity[c][d] /= norm;
            }
            // Every class owns at least one centroid; the rest are drawn at random.
            classOf[c] = c < classes ? c : model.nextInt(classes);
            spread[c] = model.nextDouble();
            total += model.nextDouble();
            cumulativeWeight[c] = total;
        }
        for (int c = 0; c < centroids; c++) {
            cumulativeWeight[c] /= total;
        }
        this.random = new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L);
    }

    @Override
    protected Example generate(long index, String id) {
        double u = random.nextDouble();
        int c = 0;
        while (c < cumulativeWeight.length - 1 && cumulativeWeight[c] < u) {
            c++;
        }
        double[] dir = new double[features];
        double norm = 0;
        for (int d = 0; d < features; d++) {
            dir[d] = random.nextGaussian();
            norm += dir[d] * dir[d];
        }
        norm = Math.sqrt(norm);
        double dist = random.nextGaussian() * spread[c];
        float[] x = new float[features];
        for (int d = 0; d < features; d++) {
            x[d] = (float) (centre[c][d] + dir[d] / norm * dist);
        }
        move();
        return Example.labeled(id, Features.ofFloats(x), classOf[c]);
    }

    private void move() {
        if (speed == 0) {
            return;
        }
        for (int c = 0; c < centre.length; c++) {
            for (int d = 0; d < features; d++) {
                double next = centre[c][d] + velocity[c][d] * speed;
                if (next < 0 || next > 1) {
                    velocity[c][d] = -velocity[c][d];
                    next = centre[c][d] + velocity[c][d] * speed;
                }
                centre[c][d] = next;
            }
        }
    }

    /** Coordinate {@code d} of centroid {@code c} now. */
    public double centre(int c, int d) {
        return centre[c][d];
    }
}
