package io.streamlearn.ingest.source;

import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.Features;
import java.util.SplittableRandom;

/**
 * SEA concepts (Street and Kim, KDD 2001): three features uniform in [0,10], only the first two relevant;
 * label 1 when {@code x0 + x1 <= theta}. Abrupt drift: theta steps through 8, 9, 7, 9.5 (then repeats)
 * every {@code every} examples. Labels flip with probability {@code noise} (the paper uses 0.1).
 */
public final class SeaStream extends GeneratedSource {
    /** The four thresholds of the original paper, in order. */
    public static final double[] THRESHOLDS = {8, 9, 7, 9.5};
    private final long every;
    private final double noise;
    private final SplittableRandom random;

    public SeaStream(long every, double noise, long seed, long limit, String idPrefix) {
        super("sea", limit, idPrefix);
        if (every < 1 || !(noise >= 0 && noise <= 1)) {
            throw new IllegalArgumentException("sea needs a concept length >= 1 and noise 0..1, got " + every
                    + " and " + noise);
        }
        this.every = every;
        this.noise = noise;
        this.random = new SplittableRandom(seed);
    }

    /** The concept (index into {@link #THRESHOLDS}) example {@code index} is drawn from. */
    public int concept(long index) {
        return (int) ((index / every) % THRESHOLDS.length);
    }

    @Override
    protected Example generate(long index, String id) {
        float x0 = (float) (random.nextDouble() * 10);
        float x1 = (float) (random.nextDouble() * 10);
        float x2 = (float) (random.nextDouble() * 10);
        int label = x0 + x1 <= THRESHOLDS[concept(index)] ? 1 : 0;
        if (random.nextDouble() < noise) {
            label = 1 - label;
        }
        return Example.labeled(id, Features.ofFloats(x0, x1, x2), label);
    }
}
