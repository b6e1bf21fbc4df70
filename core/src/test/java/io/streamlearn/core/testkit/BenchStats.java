package io.streamlearn.core.testkit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * What the benchmarks behind {@code bench/*.sh} print: the median of their rounds with the range, and percentiles
 * of sorted samples. One place, so every {@code RESULT} line reads {@code name=MEDIAN[MIN..MAX]} the same way.
 */
public final class BenchStats {
    private BenchStats() {}

    /** The median of {@code values} (the mean of the middle two for an even count); NaN when empty. */
    public static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> s = new ArrayList<>(values);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    /** The median of {@code values}, for benchmarks that keep their rounds in an array. */
    public static double median(double[] values) {
        return median(Arrays.stream(values).boxed().toList());
    }

    /** {@code MEDIAN[MIN..MAX]} of {@code values} in {@code format}, for benchmarks that keep their rounds in an array. */
    public static String medianRange(double[] values, String format) {
        return medianRange(Arrays.stream(values).boxed().toList(), format);
    }

    /** {@code MEDIAN[MIN..MAX]}, each number in {@code format} (e.g. {@code %.2f}); {@code none} when empty. */
    public static String medianRange(List<Double> values, String format) {
        if (values.isEmpty()) {
            return "none";
        }
        return String.format(Locale.ROOT, format + "[" + format + ".." + format + "]", median(values),
                Collections.min(values), Collections.max(values));
    }

    /** The {@code q} quantile (0..1] of {@code sorted} by the nearest-rank method; 0 when empty. */
    public static long percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.max(0, Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1))];
    }
}
