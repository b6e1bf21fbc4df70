package io.streamlearn.app;

import java.time.Duration;
import java.util.Locale;

/** Parses the durations the command accepts: "90", "90s", "500ms", "2m" or ISO-8601 "PT90S". */
public final class Durations {
    private Durations() {}

    public static Duration parse(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("pt")) {
                return Duration.parse(t.toUpperCase(Locale.ROOT));
            }
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            if (t.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
            }
            return Duration.ofSeconds(Long.parseLong(t.endsWith("s") ? t.substring(0, t.length() - 1) : t));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("duration '" + s + "' must look like 90, 90s, 500ms, 2m or PT90S", e);
        }
    }
}
