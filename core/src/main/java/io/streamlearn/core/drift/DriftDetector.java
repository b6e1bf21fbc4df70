package io.streamlearn.core.drift;

/**
 * A change detector over a stream of numbers, such as a model's error on each example (1 wrong, 0 right).
 *
 * <pre>{@code
 * DriftDetector adwin = new Adwin(new Adwin.Settings(0.002, 32, 5, 5)); // or DriftDetector.parse("adwin:delta=0.002")
 * for (Example e : stream) {
 *     if (adwin.update(predicted(e) == e.label() ? 0 : 1)) {
 *         // the error rate changed: adwin.estimate() is the rate since the change
 *     }
 * }
 * byte[] checkpoint = adwin.state();                 // into operator state
 * DriftDetector back = DriftDetector.restore(checkpoint);
 * }</pre>
 *
 * <p>Implementations are not thread-safe: one detector per stream, fed by one thread. Their state is a
 * versioned blob (magic {@code SLDD}, format version, kind, settings, statistics) that
 * {@link #restore(byte[])} turns back into an equivalent detector: the same inputs then give the same answers.
 */
public interface DriftDetector {

    /**
     * Adds one value and says whether a change was detected on it.
     *
     * @param x a finite value, e.g. 0/1 error or a loss
     * @return true when this value completed the evidence of a change in the stream's mean
     * @throws IllegalArgumentException when {@code x} is NaN or infinite (the detector is left unchanged)
     */
    boolean update(double x);

    /**
     * {@link #update} that answers true only when the change detected is a rise of the mean, as a worse
     * error rate is: detectors such as ADWIN also report the error falling again while a model learns.
     */
    default boolean updateRise(double x) {
        double before = estimate();
        // NaN before (no value yet) counts as a rise: there is no lower level to have come from.
        return update(x) && !(estimate() <= before);
    }

    /** Forgets everything seen so far; the settings stay. */
    void reset();

    /** The current estimate of the stream's mean (ADWIN: over its window; Page-Hinkley: since the last change), NaN before any value. */
    double estimate();

    /** The kind of detector, as {@link #parse(String)} spells it: {@code adwin} or {@code page-hinkley}. */
    String name();

    /** The detector's settings and statistics as a versioned blob, for checkpoints. */
    byte[] state();

    /**
     * A detector equal to the one whose {@link #state()} gave {@code state}.
     *
     * @throws IllegalArgumentException when the blob is not a drift detector state, of an unknown format
     *                                  version or kind, or truncated
     */
    static DriftDetector restore(byte[] state) {
        return DetectorState.restore(state);
    }

    /**
     * A detector from a short spec, as command-line flags spell it: {@code adwin}, {@code adwin:delta=0.002},
     * {@code page-hinkley}, {@code page-hinkley:delta=0.005,lambda=50,alpha=0.9999,min-instances=30,direction=up}.
     * Settings not named keep their defaults.
     *
     * @throws IllegalArgumentException naming the spec and what is wrong with it
     */
    static DriftDetector parse(String spec) {
        return DetectorSpec.parse(spec);
    }
}
