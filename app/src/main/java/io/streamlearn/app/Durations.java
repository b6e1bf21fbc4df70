package io.streamlearn.app;

import io.streamlearn.core.config.Type;
import java.time.Duration;

/** Parses the durations the commands accept: "90", "90s", "500ms", "2m" or ISO-8601 "PT90S". */
public final class Durations {
    private Durations() {}

    /** As {@link Type#DURATION} reads a duration setting. */
    public static Duration parse(String s) {
        return Type.parseDuration(s);
    }
}
