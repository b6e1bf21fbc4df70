package io.streamlearn.core.drift;

import java.io.DataInputStream;
import java.io.IOException;
import java.util.Locale;
import java.util.Objects;

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

    private final Settings settings;

    private long n;
    private double mean;
    private double sumUp;
    private double minUp;
    private double sumDown;
    private double maxDown;

    /** A Page-Hinkley test with {@code settings}, e.g. {@code Settings.DEFAULTS.watching(Direction.DOWN)}. */
    public PageHinkley(Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** A Page-Hinkley test with the usual defaults, {@link Settings#DEFAULTS}. */
    public static PageHinkley create() {
        return new PageHinkley(Settings.DEFAULTS);
    }

    @Override
    public boolean update(double x) {
        DetectorState.requireFinite(NAME, x);
        n++;
        double alpha = settings.alpha();
        mean += (x - mean) / n;
        sumUp = alpha * sumUp + (x - mean - settings.delta());
        minUp = Math.min(minUp, sumUp);
        sumDown = alpha * sumDown + (x - mean + settings.delta());
        maxDown = Math.max(maxDown, sumDown);
        if (n < settings.minInstances()) {
            return false;
        }
        Direction direction = settings.direction();
        boolean up = direction != Direction.DOWN && sumUp - minUp > settings.lambda();
        boolean down = direction != Direction.UP && maxDown - sumDown > settings.lambda();
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
        return switch (settings.direction()) {
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
            out.writeDouble(settings.delta());
            out.writeDouble(settings.lambda());
            out.writeDouble(settings.alpha());
            out.writeLong(settings.minInstances());
            out.writeByte(settings.direction().ordinal());
            out.writeLong(n);
            out.writeDouble(mean);
            out.writeDouble(sumUp);
            out.writeDouble(minUp);
            out.writeDouble(sumDown);
            out.writeDouble(maxDown);
        });
    }

    static PageHinkley read(DataInputStream in) throws IOException {
        double delta = in.readDouble();
        double lambda = in.readDouble();
        double alpha = in.readDouble();
        long minInstances = in.readLong();
        int dir = in.readUnsignedByte();
        if (dir >= Direction.values().length) {
            throw new IllegalArgumentException("page-hinkley state: direction " + dir + ", expected 0..2");
        }
        PageHinkley p = new PageHinkley(new Settings(delta, lambda, alpha, minInstances, Direction.values()[dir]));
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
        return NAME + ":delta=" + settings.delta() + ",lambda=" + settings.lambda() + ",alpha=" + settings.alpha()
                + ",min-instances=" + settings.minInstances() + ",direction="
                + settings.direction().name().toLowerCase(Locale.ROOT);
    }

    /**
     * The settings of a {@link PageHinkley} test, checked here so that an invalid one cannot exist.
     *
     * @param delta magnitude of change tolerated (>= 0), in the units of the input
     * @param lambda threshold of the statistic (> 0): larger means fewer false alarms and later detections
     * @param alpha fading factor of the cumulative sum, (0, 1]; 1 is the classical test
     * @param minInstances values needed after a start or a change before a change can be signalled (>= 1)
     * @param direction which changes of the mean are signalled
     */
    public record Settings(double delta, double lambda, double alpha, long minInstances, Direction direction) {
        /** The usual: delta 0.005, lambda 50, alpha 0.9999, min instances 30, direction up (an error rate rising). */
        public static final Settings DEFAULTS = new Settings(0.005, 50, 1 - 0.0001, 30, Direction.UP);

        public Settings {
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
        }

        /** These settings watching {@code direction} instead. */
        public Settings watching(Direction direction) {
            return new Settings(delta, lambda, alpha, minInstances, direction);
        }
    }
}
