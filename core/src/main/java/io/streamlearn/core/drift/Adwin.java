package io.streamlearn.core.drift;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * ADWIN, adaptive windowing (Bifet and Gavaldà, "Learning from Time-Changing Data with Adaptive Windowing",
 * SDM 2007): keeps a window of recent values, compressed into an exponential histogram of buckets, and drops
 * its older part whenever the means of an older and a newer sub-window differ by more than the Hoeffding-style
 * bound that {@code delta} sets. Detects changes in either direction; {@link #estimate()} is the mean of the
 * window, so after a change it follows the new mean.
 *
 * <p>This is the ADWIN2 variant of the paper as MOA implements it ({@code moa.classifiers.core.driftdetection.ADWIN}):
 * at most {@code maxBuckets} buckets of each size 2^i, cut points checked every {@code clock} values, each
 * sub-window at least {@code minSubWindow} values long. Memory and time per value are O(log window).
 */
public final class Adwin implements DriftDetector {
    static final String NAME = "adwin";

    private final Settings settings;

    // rows.get(i) holds the buckets of 2^i values each, oldest first.
    private final List<Row> rows = new ArrayList<>();
    private long time;
    private long width;
    private double total;
    // Sum of squared deviations from the window's mean (width times the variance).
    private double m2;

    /** An ADWIN with {@code settings}, e.g. {@code new Adwin(new Adwin.Settings(0.01, 32, 5, 5))}. */
    public Adwin(Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** An ADWIN with the paper's and MOA's defaults, {@link Settings#DEFAULTS}. */
    public static Adwin create() {
        return new Adwin(Settings.DEFAULTS);
    }

    @Override
    public boolean update(double x) {
        DetectorState.requireFinite(NAME, x);
        time++;
        insert(x);
        boolean change = false;
        if (time % settings.clock() == 0 && width > 2L * settings.minSubWindow()) {
            boolean reduce = true;
            while (reduce) {
                reduce = false;
                if (cut()) {
                    change = true;
                    reduce = true;
                }
            }
        }
        return change;
    }

    /** Looks for one cut point from the oldest bucket on; drops the oldest bucket when one is found. */
    private boolean cut() {
        long n0 = 0;
        long n1 = width;
        double u0 = 0;
        double u1 = total;
        double v = Math.max(0, m2 / width);
        double dd = Math.log(2 * Math.log(width) / settings.delta());
        for (int i = rows.size() - 1; i >= 0; i--) {
            Row r = rows.get(i);
            long size = 1L << i;
            for (int k = 0; k < r.count; k++) {
                n0 += size;
                n1 -= size;
                u0 += r.totals[k];
                u1 -= r.totals[k];
                if (i == 0 && k == r.count - 1) {
                    return false;
                }
                if (n1 > settings.minSubWindow() + 1 && n0 > settings.minSubWindow() + 1
                        && Math.abs(u0 / n0 - u1 / n1) > epsilon(n0, n1, v, dd)) {
                    dropOldest();
                    return true;
                }
            }
        }
        return false;
    }

    private double epsilon(long n0, long n1, double variance, double dd) {
        // 1/m of the paper (m the harmonic mean of n0 and n1), with MOA's correction for the minimum lengths.
        double m = 1.0 / (n0 - settings.minSubWindow() + 1) + 1.0 / (n1 - settings.minSubWindow() + 1);
        return Math.sqrt(2 * m * variance * dd) + 2.0 / 3.0 * dd * m;
    }

    private void insert(double x) {
        width++;
        if (rows.isEmpty()) {
            rows.add(new Row(settings.maxBuckets()));
        }
        rows.get(0).add(x, 0);
        if (width > 1) {
            double d = x - total / (width - 1);
            m2 += (width - 1) * d * d / width;
        }
        total += x;
        compress();
    }

    private void compress() {
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            if (r.count <= settings.maxBuckets()) {
                return;
            }
            if (i + 1 == rows.size()) {
                rows.add(new Row(settings.maxBuckets()));
            }
            double n = 1L << i;
            double d = r.totals[0] / n - r.totals[1] / n;
            rows.get(i + 1).add(r.totals[0] + r.totals[1], r.m2[0] + r.m2[1] + n * n * d * d / (2 * n));
            r.removeOldest(2);
        }
    }

    private void dropOldest() {
        int last = rows.size() - 1;
        Row r = rows.get(last);
        long n1 = 1L << last;
        width -= n1;
        total -= r.totals[0];
        double u1 = r.totals[0] / n1;
        double d = u1 - total / width;
        m2 -= r.m2[0] + (double) n1 * width * d * d / (n1 + width);
        r.removeOldest(1);
        if (r.count == 0) {
            rows.remove(last);
        }
    }

    @Override
    public void reset() {
        rows.clear();
        time = 0;
        width = 0;
        total = 0;
        m2 = 0;
    }

    @Override
    public double estimate() {
        return width == 0 ? Double.NaN : total / width;
    }

    /** Values in the window: all since the last change, up to what the buckets compress. */
    public long width() {
        return width;
    }

    /** Variance of the values in the window, NaN when empty. */
    public double variance() {
        return width == 0 ? Double.NaN : Math.max(0, m2 / width);
    }

    public double delta() {
        return settings.delta();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public byte[] state() {
        return DetectorState.encode(NAME, out -> {
            out.writeDouble(settings.delta());
            out.writeInt(settings.clock());
            out.writeInt(settings.maxBuckets());
            out.writeInt(settings.minSubWindow());
            out.writeLong(time);
            out.writeLong(width);
            out.writeDouble(total);
            out.writeDouble(m2);
            out.writeInt(rows.size());
            for (Row r : rows) {
                out.writeByte(r.count);
                for (int k = 0; k < r.count; k++) {
                    out.writeDouble(r.totals[k]);
                    out.writeDouble(r.m2[k]);
                }
            }
        });
    }

    static Adwin read(DataInputStream in) throws IOException {
        Adwin a = new Adwin(new Settings(in.readDouble(), in.readInt(), in.readInt(), in.readInt()));
        int maxBuckets = a.settings.maxBuckets();
        a.time = in.readLong();
        a.width = in.readLong();
        a.total = in.readDouble();
        a.m2 = in.readDouble();
        int rows = in.readInt();
        if (rows < 0 || rows > 63) {
            throw new IllegalArgumentException("adwin state: " + rows + " bucket rows, expected 0..63");
        }
        for (int i = 0; i < rows; i++) {
            Row r = new Row(maxBuckets);
            int count = in.readUnsignedByte();
            if (count > maxBuckets) {
                throw new IllegalArgumentException("adwin state: row " + i + " holds " + count + " buckets, more "
                        + "than max buckets " + maxBuckets);
            }
            for (int k = 0; k < count; k++) {
                r.add(in.readDouble(), in.readDouble());
            }
            a.rows.add(r);
        }
        return a;
    }

    @Override
    public String toString() {
        return NAME + ":delta=" + settings.delta() + ",clock=" + settings.clock() + ",max-buckets="
                + settings.maxBuckets() + ",min-sub-window=" + settings.minSubWindow();
    }

    /** Buckets of one size, oldest first; one slot more than the maximum so a row can overflow before compressing. */
    private static final class Row {
        final double[] totals;
        final double[] m2;
        int count;

        Row(int maxBuckets) {
            totals = new double[maxBuckets + 1];
            m2 = new double[maxBuckets + 1];
        }

        void add(double total, double squares) {
            totals[count] = total;
            m2[count] = squares;
            count++;
        }

        void removeOldest(int n) {
            System.arraycopy(totals, n, totals, 0, count - n);
            System.arraycopy(m2, n, m2, 0, count - n);
            count -= n;
        }
    }

    /**
     * The settings of an {@link Adwin}, checked here so that an invalid one cannot exist.
     *
     * @param delta confidence: smaller means fewer false alarms and later detections (0 < delta < 1)
     * @param clock cut points are checked every {@code clock} values (>= 1); 1 checks on every value
     * @param maxBuckets buckets kept per size (2..64): more is a finer window at more memory
     * @param minSubWindow fewest values on each side of a cut (>= 1)
     */
    public record Settings(double delta, int clock, int maxBuckets, int minSubWindow) {
        /** The paper's and MOA's: delta 0.002, clock 32, 5 buckets per row, sub-windows of 5. */
        public static final Settings DEFAULTS = new Settings(0.002, 32, 5, 5);

        public Settings {
            if (!(delta > 0 && delta < 1)) {
                throw new IllegalArgumentException("adwin delta " + delta + " must be in (0, 1); 0.002 is the usual");
            }
            if (clock < 1) {
                throw new IllegalArgumentException("adwin clock " + clock + " must be >= 1");
            }
            if (maxBuckets < 2 || maxBuckets > 64) {
                throw new IllegalArgumentException("adwin max buckets " + maxBuckets + " must be 2..64");
            }
            if (minSubWindow < 1) {
                throw new IllegalArgumentException("adwin min sub-window " + minSubWindow + " must be >= 1");
            }
        }
    }
}
