package io.streamlearn.ingest.report;

import io.streamlearn.ingest.produce.IngestCounts;
import io.streamlearn.ingest.validate.RejectReason;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** The end-of-run summary operators read: read, sent, rejected by reason, bytes and speed. */
public final class Summary {
    private Summary() {}

    /**
     * The summary of a run as a few lines, e.g.
     * <pre>
     * ingest: idx:fashion-mnist/train -&gt; streamlearn.examples in 4.2 s
     *   read       60000
     *   sent       59990   47.1 MB, 11.2 MB/s, 14285 records/s
     *   rejected      10   -&gt; streamlearn.examples.dlq (label: 7, non_finite: 3)
     * </pre>
     */
    public static String format(String source, String topic, String deadLetterTopic, IngestCounts c,
            List<String> labelClasses) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "ingest: %s -> %s in %.1f s%n", source, topic, c.elapsedNanos() / 1e9));
        b.append(String.format(Locale.ROOT, "  read     %9d%n", c.read()));
        b.append(String.format(Locale.ROOT, "  sent     %9d   %.1f MB, %.1f MB/s, %.0f records/s%n", c.sent(),
                c.bytesSent() / 1e6, c.megabytesPerSecond(), c.recordsPerSecond()));
        b.append(String.format(Locale.ROOT, "  rejected %9d", c.rejected()));
        if (c.rejected() > 0) {
            b.append("   -> ").append(deadLetterTopic).append(" (").append(reasons(c.rejectedByReason())).append(')');
        }
        b.append(System.lineSeparator());
        if (c.failed() > 0 || c.pending() > 0) {
            b.append(String.format(Locale.ROOT, "  failed   %9d   (not acknowledged: %d pending)%n", c.failed(),
                    c.pending()));
        }
        if (labelClasses != null) {
            StringBuilder m = new StringBuilder();
            for (int i = 0; i < labelClasses.size(); i++) {
                m.append(i == 0 ? "" : ", ").append(labelClasses.get(i)).append('=').append(i);
            }
            b.append("  labels   ").append(m).append(System.lineSeparator());
        }
        return b.toString();
    }

    static String reasons(Map<RejectReason, Long> byReason) {
        return byReason.entrySet().stream().map(e -> e.getKey().label() + ": " + e.getValue())
                .collect(Collectors.joining(", "));
    }
}
