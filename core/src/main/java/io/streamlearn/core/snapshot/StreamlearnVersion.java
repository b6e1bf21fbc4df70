package io.streamlearn.core.snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The streamlearn version this code was built as, from the build (Maven fills it in), for provenance. */
public final class StreamlearnVersion {
    /** What {@link #get()} answers when the classes were not built by Maven (an IDE compiling the sources). */
    public static final String UNKNOWN = "unknown";
    private static final String RESOURCE = "streamlearn-version.properties";
    private static final String VERSION = load();

    private StreamlearnVersion() {}

    /** The version, e.g. {@code 0.1.0-SNAPSHOT}, or {@value #UNKNOWN}. */
    public static String get() {
        return VERSION;
    }

    private static String load() {
        try (InputStream in = StreamlearnVersion.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return UNKNOWN;
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "").trim();
            // An unfiltered copy still holds the placeholder.
            return v.isEmpty() || v.startsWith("${") ? UNKNOWN : v;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE + " from the streamlearn-core jar", e);
        }
    }
}
