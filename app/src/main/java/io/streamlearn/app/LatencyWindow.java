package io.streamlearn.app;

import java.util.Arrays;

/** The last N round-trip latencies, for a p99 that follows the present. */
final class LatencyWindow {
    private final double[] values;
    private long count;

    LatencyWindow(int size) {
        this.values = new double[size];
    }

    synchronized void add(double ms) {
        values[(int) (count++ % values.length)] = ms;
    }

    synchronized double p99() {
        int n = (int) Math.min(count, values.length);
        if (n == 0) {
            return Double.NaN;
        }
        double[] sorted = Arrays.copyOf(values, n);
        Arrays.sort(sorted);
        return sorted[Math.min(n - 1, (int) Math.ceil(0.99 * n) - 1)];
    }
}
