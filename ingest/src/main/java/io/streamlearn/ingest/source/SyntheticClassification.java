package io.streamlearn.ingest.source;

import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.Features;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * A seeded, linearly separable classification stream in the manner of scikit-learn's
 * {@code make_classification}: each class is a Gaussian cluster (unit variance) around a vertex of
 * a hypercube with side {@code 2 * classSep} in the informative features; the remaining features
 * are noise. Two sources with the same {@code seed} share the class centroids, so a request stream
 * ({@link #withSampleSeed}) comes from the same concept as the training stream.
 */
public final class SyntheticClassification implements ExampleSource {
    private final int features;
    private final int classes;
    private final int informative;
    private final float[][] centroids;
    private final SplittableRandom random;
    private final long limit;
    private final String idPrefix;
    private final long seed;
    private final double classSep;
    private long index = 0;

    /**
     * @param features   feature count (>= 1)
     * @param classes    class count (>= 2)
     * @param classSep   half the distance between centroid coordinates; 2.0 or more is well separable
     * @param seed       seed of the centroids and, unless overridden, of the samples
     * @param limit      examples to produce; Long.MAX_VALUE for an endless stream
     * @param idPrefix   prefix of generated ids
     */
    public SyntheticClassification(int features, int classes, double classSep, long seed, long limit, String idPrefix) {
        this(features, classes, classSep, seed, seed ^ 0x5DEECE66DL, limit, idPrefix);
    }

    private SyntheticClassification(int features, int classes, double classSep, long seed, long sampleSeed, long limit,
            String idPrefix) {
        if (features < 1 || classes < 2) {
            throw new IllegalArgumentException("synthetic stream needs >= 1 feature and >= 2 classes, got "
                    + features + " features and " + classes + " classes");
        }
        this.features = features;
        this.classes = classes;
        this.classSep = classSep;
        this.seed = seed;
        this.limit = limit;
        this.idPrefix = idPrefix;
        this.informative = Math.min(features, Math.max(2, 32 - Integer.numberOfLeadingZeros(classes - 1) + 1));
        SplittableRandom c = new SplittableRandom(seed);
        this.centroids = new float[classes][informative];
        // Distinct hypercube vertices as long as 2^informative >= classes; a random jitter breaks ties otherwise.
        for (int k = 0; k < classes; k++) {
            for (int d = 0; d < informative; d++) {
                int bit = (k >> d) & 1;
                centroids[k][d] = (float) ((bit == 1 ? classSep : -classSep) + 0.1 * c.nextGaussian());
            }
        }
        this.random = new SplittableRandom(sampleSeed);
    }

    /** A source from the same concept (same centroids) with other samples and ids. */
    public SyntheticClassification withSampleSeed(long sampleSeed, long newLimit, String newIdPrefix) {
        return new SyntheticClassification(features, classes, classSep, seed, sampleSeed, newLimit, newIdPrefix);
    }

    public int features() {
        return features;
    }

    public int classes() {
        return classes;
    }

    @Override
    public boolean hasNext() {
        return index < limit;
    }

    @Override
    public Example next() {
        if (!hasNext()) {
            throw new NoSuchElementException("synthetic stream exhausted after " + limit + " examples");
        }
        int label = random.nextInt(classes);
        float[] x = new float[features];
        for (int d = 0; d < features; d++) {
            double noise = random.nextGaussian();
            x[d] = (float) (d < informative ? centroids[label][d] + noise : noise);
        }
        return Example.labeled(idPrefix + index++, Features.ofFloats(x), label);
    }

    @Override
    public String position() {
        return "synthetic #" + (index - 1);
    }
}
