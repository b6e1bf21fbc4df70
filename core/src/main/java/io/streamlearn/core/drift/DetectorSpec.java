package io.streamlearn.core.drift;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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
        Map<String, String> kv = keyValues(settings, Adwin.NAME, "delta", "clock", "max-buckets", "min-sub-window");
        Adwin.Settings d = Adwin.Settings.DEFAULTS;
        return new Adwin(new Adwin.Settings(number(kv, "delta", d.delta()),
                (int) integer(kv, "clock", d.clock()), (int) integer(kv, "max-buckets", d.maxBuckets()),
                (int) integer(kv, "min-sub-window", d.minSubWindow())));
    }

    private static PageHinkley pageHinkley(String[] settings) {
        Map<String, String> kv = keyValues(settings, PageHinkley.NAME, "delta", "lambda", "alpha", "min-instances",
                "direction");
        PageHinkley.Settings d = PageHinkley.Settings.DEFAULTS;
        return new PageHinkley(new PageHinkley.Settings(number(kv, "delta", d.delta()),
                number(kv, "lambda", d.lambda()), number(kv, "alpha", d.alpha()), integer(kv, "min-instances", d.minInstances()),
                direction(kv.getOrDefault("direction", d.direction().name()))));
    }

    private static PageHinkley.Direction direction(String value) {
        try {
            return PageHinkley.Direction.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("direction '" + value + "' must be up, down or both", e);
        }
    }

    /**
     * The {@code key=value} pairs of {@code settings}, keys lower-cased, both trimmed; a key outside {@code known}
     * fails naming the ones {@code kind} knows.
     */
    private static Map<String, String> keyValues(String[] settings, String kind, String... known) {
        Map<String, String> kv = new HashMap<>();
        for (String setting : settings) {
            int eq = setting.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("setting '" + setting + "' is not key=value");
            }
            String key = setting.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            if (!List.of(known).contains(key)) {
                throw new IllegalArgumentException("unknown " + kind + " setting '" + key + "', known: "
                        + String.join(", ", known));
            }
            kv.put(key, setting.substring(eq + 1).trim());
        }
        return kv;
    }

    private static double number(Map<String, String> kv, String key, double otherwise) {
        return kv.containsKey(key) ? number(key, kv.get(key)) : otherwise;
    }

    private static long integer(Map<String, String> kv, String key, long otherwise) {
        return kv.containsKey(key) ? integer(key, kv.get(key)) : otherwise;
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
