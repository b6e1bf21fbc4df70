package io.streamlearn.core.drift;

import java.io.DataInputStream;
import java.io.IOException;
import java.util.Locale;

/**
 * The Page-Hinkley test (Page, Biometrika 1954; as used for drift by Gama et al., "A survey on concept drift
 * adaptation", 2014): accumulates the deviations of each value from the running mean, less a tolerance
 * {@code delta}, fading the sum by {@code alpha}, and signals when the sum rises more than {@code lambda} above
 * its minimum (an increase; for a decrease, symmetrically). After a signal it starts over.
 *
 * <p>With the defaults (delta 0.005, lambda 50, alpha 0.9999, 30 values before the first signal, direction up)
 * it watches an error rate for increases, as MOA's {@code PageHinkleyDM} and River's {@code PageHinkley} do.
 */
public final class PageHinkley implements DriftDetector {
    static final String NAME = "page-hinkley";

    /** Which changes of the mean are signalled. */
    public enum Direction {
        /** Increases only (an error rate or a loss going up). */
        UP,
        /** Decreases only (an accuracy going down). */
        DOWN,
        /** Both. */
        BOTH
    }

    private final double delta;
    private final double lambda;
    private final double alpha;
    private final long minInstances;
    private final Direction direction;

    private long n;
    private double mean;
    private double sumUp;
    private double minUp;
    private double sumDown;
    private double maxDown;

    private PageHinkley(double delta, double lambda, double alpha, long minInstances, Direction direction) {
        this.delta = delta;
        this.lambda = lambda;
        this.alpha = alpha;
        this.minInstances = minInstances;
        this.direction = direction;
    }

    /** A builder with the usual defaults: delta 0.005, lambda 50, alpha 0.9999, min instances 30, direction up. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public boolean update(double x) {
        DetectorState.requireFinite(NAME, x);
        n++;
        mean += (x - mean) / n;
        sumUp = alpha * sumUp + (x - mean - delta);
        minUp = Math.min(minUp, sumUp);
        sumDown = alpha * sumDown + (x - mean + delta);
        maxDown = Math.max(maxDown, sumDown);
        if (n < minInstances) {
            return false;
        }
        boolean up = direction != Direction.DOWN && sumUp - minUp > lambda;
        boolean down = direction != Direction.UP && maxDown - sumDown > lambda;
        if (up || down) {
            reset();
            return true;
        }
        return false;
    }

    @Override
    public void reset() {
        n = 0;
        mean = 0;
        sumUp = 0;
        minUp = 0;
        sumDown = 0;
        maxDown = 0;
    }

    @Override
    public double estimate() {
        return n == 0 ? Double.NaN : mean;
    }

    /** Values seen since the last change (or reset). */
    public long count() {
        return n;
    }

    /** The test statistic now: how far the cumulative sum is from its extreme, in the watched direction(s). */
    public double statistic() {
        return switch (direction) {
            case UP -> sumUp - minUp;
            case DOWN -> maxDown - sumDown;
            case BOTH -> Math.max(sumUp - minUp, maxDown - sumDown);
        };
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public byte[] state() {
        return DetectorState.encode(NAME, out -> {
            out.writeDouble(delta);
            out.writeDouble(lambda);
            out.writeDouble(alpha);
            out.writeLong(minInstances);
            out.writeByte(direction.ordinal());
            out.writeLong(n);
            out.writeDouble(mean);
            out.writeDouble(sumUp);
            out.writeDouble(minUp);
            out.writeDouble(sumDown);
            out.writeDouble(maxDown);
        });
    }

    static PageHinkley read(DataInputStream in) throws IOException {
        Builder b = new Builder().optDelta(in.readDouble()).optLambda(in.readDouble()).optAlpha(in.readDouble())
                .optMinInstances(in.readLong());
        int dir = in.readUnsignedByte();
        if (dir >= Direction.values().length) {
            throw new IllegalArgumentException("page-hinkley state: direction " + dir + ", expected 0..2");
        }
        PageHinkley p = b.optDirection(Direction.values()[dir]).build();
        p.n = in.readLong();
        p.mean = in.readDouble();
        p.sumUp = in.readDouble();
        p.minUp = in.readDouble();
        p.sumDown = in.readDouble();
        p.maxDown = in.readDouble();
        return p;
    }

    @Override
    public String toString() {
        return NAME + ":delta=" + delta + ",lambda=" + lambda + ",alpha=" + alpha + ",min-instances=" + minInstances
                + ",direction=" + direction.name().toLowerCase(Locale.ROOT);
    }

    /** Builds a {@link PageHinkley}; every setting is optional. */
    public static final class Builder {
        private double delta = 0.005;
        private double lambda = 50;
        private double alpha = 1 - 0.0001;
        private long minInstances = 30;
        private Direction direction = Direction.UP;

        private Builder() {}

        /** Magnitude of change tolerated (>= 0), in the units of the input. */
        public Builder optDelta(double delta) {
            this.delta = delta;
            return this;
        }

        /** Threshold of the statistic (> 0): larger means fewer false alarms and later detections. */
        public Builder optLambda(double lambda) {
            this.lambda = lambda;
            return this;
        }

        /** Fading factor of the cumulative sum, (0, 1]; 1 is the classical test. */
        public Builder optAlpha(double alpha) {
            this.alpha = alpha;
            return this;
        }

        /** Values needed after a start or a change before a change can be signalled (>= 1). */
        public Builder optMinInstances(long minInstances) {
            this.minInstances = minInstances;
            return this;
        }

        public Builder optDirection(Direction direction) {
            this.direction = direction;
            return this;
        }

        public PageHinkley build() {
            if (!(delta >= 0) || !Double.isFinite(delta)) {
                throw new IllegalArgumentException("page-hinkley delta " + delta + " must be finite and >= 0");
            }
            if (!(lambda > 0) || !Double.isFinite(lambda)) {
                throw new IllegalArgumentException("page-hinkley lambda " + lambda + " must be finite and > 0");
            }
            if (!(alpha > 0 && alpha <= 1)) {
                throw new IllegalArgumentException("page-hinkley alpha " + alpha + " must be in (0, 1]");
            }
            if (minInstances < 1) {
                throw new IllegalArgumentException("page-hinkley min instances " + minInstances + " must be >= 1");
            }
            if (direction == null) {
                throw new IllegalArgumentException("page-hinkley direction must be up, down or both");
            }
            return new PageHinkley(delta, lambda, alpha, minInstances, direction);
        }
    }
}
