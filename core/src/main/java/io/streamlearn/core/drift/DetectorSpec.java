package io.streamlearn.core.drift;

import java.util.Locale;
import java.util.function.BiConsumer;

/** Parses the short detector specs of {@link DriftDetector#parse(String)}. */
final class DetectorSpec {
    private DetectorSpec() {}

    static DriftDetector parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("empty drift detector spec; use adwin, adwin:delta=0.002 or "
                    + "page-hinkley:lambda=50");
        }
        String s = spec.trim();
        int colon = s.indexOf(':');
        String kind = (colon < 0 ? s : s.substring(0, colon)).toLowerCase(Locale.ROOT);
        String[] settings = colon < 0 || colon == s.length() - 1 ? new String[0] : s.substring(colon + 1).split(",");
        try {
            return switch (kind) {
                case Adwin.NAME -> adwin(settings);
                case PageHinkley.NAME, "ph" -> pageHinkley(settings);
                default -> throw new IllegalArgumentException("unknown detector '" + kind + "', known: "
                        + Adwin.NAME + ", " + PageHinkley.NAME);
            };
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("drift detector spec '" + spec + "': " + e.getMessage(), e);
        }
    }

    private static Adwin adwin(String[] settings) {
        Adwin.Builder b = Adwin.builder();
        each(settings, (key, value) -> {
            switch (key) {
                case "delta" -> b.optDelta(number(key, value));
                case "clock" -> b.optClock((int) integer(key, value));
                case "max-buckets" -> b.optMaxBuckets((int) integer(key, value));
                case "min-sub-window" -> b.optMinSubWindow((int) integer(key, value));
                default -> throw new IllegalArgumentException("unknown adwin setting '" + key
                        + "', known: delta, clock, max-buckets, min-sub-window");
            }
        });
        return b.build();
    }

    private static PageHinkley pageHinkley(String[] settings) {
        PageHinkley.Builder b = PageHinkley.builder();
        each(settings, (key, value) -> {
            switch (key) {
                case "delta" -> b.optDelta(number(key, value));
                case "lambda" -> b.optLambda(number(key, value));
                case "alpha" -> b.optAlpha(number(key, value));
                case "min-instances" -> b.optMinInstances(integer(key, value));
                case "direction" -> {
                    try {
                        b.optDirection(PageHinkley.Direction.valueOf(value.toUpperCase(Locale.ROOT)));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("direction '" + value + "' must be up, down or both", e);
                    }
                }
                default -> throw new IllegalArgumentException("unknown page-hinkley setting '" + key
                        + "', known: delta, lambda, alpha, min-instances, direction");
            }
        });
        return b.build();
    }

    /** Hands each {@code key=value} of {@code settings} to {@code set}, the key lower-cased, both trimmed. */
    private static void each(String[] settings, BiConsumer<String, String> set) {
        for (String kv : settings) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("setting '" + kv + "' is not key=value");
            }
            set.accept(kv.substring(0, eq).trim().toLowerCase(Locale.ROOT), kv.substring(eq + 1).trim());
        }
    }

    private static double number(String key, String value) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " '" + value + "' is not a number", e);
        }
    }

    private static long integer(String key, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " '" + value + "' is not an integer", e);
        }
    }
}
