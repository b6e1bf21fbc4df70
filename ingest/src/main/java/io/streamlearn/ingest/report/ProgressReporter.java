package io.streamlearn.ingest.report;

import io.streamlearn.ingest.produce.IngestCounts;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleConsumer;
import java.util.function.Supplier;

/**
 * Shows an ingest run's progress: on a terminal a bar redrawn in place; otherwise (logs, CI) one plain line
 * per interval. Reads the counts from another thread; never touches the hot path.
 */
public final class ProgressReporter implements AutoCloseable {
    private static final int BAR = 30;

    private final Supplier<IngestCounts> counts;
    private final PrintStream out;
    private final boolean terminal;
    private final DoubleConsumer rateSink;
    private final ScheduledExecutorService timer;
    private long lastRead;
    private long lastNanos;
    private boolean drawn;

    /**
     * @param counts   the live counts (Ingestor::counts)
     * @param out      where to write (stderr, so stdout stays for the summary)
     * @param terminal draw a bar with carriage returns (true on a TTY) or print plain lines
     * @param interval time between updates
     * @param rateSink receives the records-per-second of each interval (a metrics gauge), may be null
     */
    public ProgressReporter(Supplier<IngestCounts> counts, PrintStream out, boolean terminal, Duration interval,
            DoubleConsumer rateSink) {
        this.counts = counts;
        this.out = out;
        this.terminal = terminal;
        this.rateSink = rateSink;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ingest-progress");
            t.setDaemon(true);
            return t;
        });
        long ms = Math.max(50, interval.toMillis());
        timer.scheduleAtFixedRate(this::tick, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** Whether this JVM's standard streams are attached to a terminal. */
    public static boolean isTerminal() {
        return System.console() != null;
    }

    private synchronized void tick() {
        IngestCounts c = counts.get();
        long dRead = c.read() - lastRead;
        long dNanos = c.elapsedNanos() - lastNanos;
        double rate = dNanos > 0 ? dRead * 1e9 / dNanos : 0;
        lastRead = c.read();
        lastNanos = c.elapsedNanos();
        if (rateSink != null) {
            rateSink.accept(rate);
        }
        if (terminal) {
            out.print("\r" + bar(c, rate) + "\u001b[K");
            drawn = true;
        } else {
            out.println(line(c, rate));
        }
        out.flush();
    }

    /** The bar: {@code [#####.....]  45% 27,000/60,000 read, 26,990 sent, 10 rejected, 12.3 MB/s}. */
    static String bar(IngestCounts c, double rate) {
        StringBuilder b = new StringBuilder();
        if (c.expected() > 0) {
            int filled = (int) Math.min(BAR, c.read() * BAR / c.expected());
            b.append('[').append("#".repeat(filled)).append(".".repeat(BAR - filled)).append("] ");
            b.append(String.format(Locale.ROOT, "%3d%% %,d/%,d", c.read() * 100 / c.expected(), c.read(), c.expected()));
        } else {
            b.append(String.format(Locale.ROOT, "%,d", c.read()));
        }
        b.append(String.format(Locale.ROOT, " read, %,d sent, %,d rejected, %,.0f rec/s, %.1f MB/s", c.sent(),
                c.rejected(), rate, c.megabytesPerSecond()));
        return b.toString();
    }

    /** A plain line for logs. */
    static String line(IngestCounts c, double rate) {
        return String.format(Locale.ROOT, "ingest: %.1f s, read %d%s, sent %d, rejected %d, %.0f records/s, %.1f MB/s",
                c.elapsedNanos() / 1e9, c.read(), c.expected() > 0 ? " of " + c.expected() : "", c.sent(),
                c.rejected(), rate, c.megabytesPerSecond());
    }

    /** Stops updating and ends the bar's line. */
    @Override
    public synchronized void close() {
        timer.shutdownNow();
        if (terminal && drawn) {
            out.println();
            out.flush();
        }
    }
}
