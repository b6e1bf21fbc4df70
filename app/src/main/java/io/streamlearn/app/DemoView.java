package io.streamlearn.app;

import io.streamlearn.core.event.ChallengerPromotedEvent;
import io.streamlearn.core.event.ChallengerRefusedEvent;
import io.streamlearn.core.event.ModelRolledBackEvent;
import io.streamlearn.core.event.PlatformEvent;
import io.streamlearn.core.snapshot.ManifestMetrics;
import io.streamlearn.core.snapshot.SnapshotManifest;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What the demo shows: its messages, a progress line every tick (redrawn in place on a console, one line each
 * otherwise) and what the trainer's metrics endpoint exports.
 */
final class DemoView {
    /**
     * One progress line's figures.
     *
     * @param seconds        since the demo started
     * @param perSecond      training examples sent per second since the last line
     * @param latest         the newest published manifest, if any
     * @param servingVersion the version serving answers with
     * @param answered       distinct requests answered
     * @param accuracy       served accuracy so far, as the served-quality monitor measures it
     * @param p99Ms          p99 request-to-prediction round trip
     * @param deadLetters    records on the dead-letter topics
     * @param driftEvents    drift events on the events topic
     * @param promoted       challengers the monitor promoted
     * @param rolledBack     versions the monitor rolled back
     */
    record Progress(long seconds, double perSecond, Optional<SnapshotManifest> latest, long servingVersion,
            long answered, double accuracy, double p99Ms, long deadLetters, long driftEvents, long promoted,
            long rolledBack) {}

    private final PrintStream out;
    private final boolean live;

    /** @param live redraw the progress line in place (a console) instead of printing a line per tick */
    DemoView(PrintStream out, boolean live) {
        this.out = out;
        this.live = live;
    }

    /** A message on a line of its own, after the progress line when one is being redrawn. */
    void say(String message) {
        out.println((live ? "\n" : "") + message);
    }

    /** A message before the progress lines start. */
    void banner(String message) {
        out.println(message);
    }

    void progress(Progress p) {
        String line = String.format(Locale.ROOT, "[%3ds] %6.0f ex/s | trained %7d | prequential %.3f holdout %.3f | "
                        + "published v%d, serving v%d | %d predictions, accuracy %.3f, p99 %.1f ms | dlq %d | drift %d | "
                        + "promoted %d, rolled back %d",
                p.seconds(), p.perSecond(), p.latest().map(SnapshotManifest::examplesSeen).orElse(0L),
                p.latest().map(m -> m.metric(ManifestMetrics.PREQUENTIAL_ACCURACY)).orElse(Double.NaN),
                p.latest().map(m -> m.metric(ManifestMetrics.HOLDOUT_ACCURACY)).orElse(Double.NaN),
                p.latest().map(SnapshotManifest::version).orElse(0L), p.servingVersion(), p.answered(), p.accuracy(),
                p.p99Ms(), p.deadLetters(), p.driftEvents(), p.promoted(), p.rolledBack());
        if (live) {
            out.print("\r\033[K" + line);
            out.flush();
        } else {
            out.println(line);
        }
    }

    /** One of the monitor's decisions on which version serves, as it happens. */
    void decision(PlatformEvent e) {
        if (e instanceof ModelRolledBackEvent b) {
            say(String.format(Locale.ROOT, "demo: the monitor rolled %s back from v%d to v%d: served error %.3f "
                    + "against %.3f over the last %d labeled predictions", b.model(), b.fromVersion(), b.version(), b.error(),
                    b.previousError(), b.labeled()));
        } else if (e instanceof ChallengerPromotedEvent p) {
            say(String.format(Locale.ROOT, "demo: the monitor promoted challenger %s v%d over v%d: error %.3f against "
                    + "%.3f on the same %d labeled requests", p.model(), p.version(), p.championVersion(), p.error(),
                    p.championError(), p.labeled()));
        } else if (e instanceof ChallengerRefusedEvent r) {
            say(String.format(Locale.ROOT, "demo: the monitor refused challenger %s v%d: error %.3f against v%d's %.3f "
                    + "on the same %d labeled requests", r.model(), r.version(), r.error(), r.championVersion(),
                    r.championError(), r.labeled()));
        }
    }

    /** Ends the redrawn progress line, so what follows starts on a line of its own. */
    void endProgress() {
        if (live) {
            out.println();
        }
    }

    /** Scrapes the trainer's metrics once, as Prometheus would, and says what it found. */
    void trainerMetrics(String url) {
        try {
            var response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofLines());
            List<String> samples = response.body()
                    .filter(l -> l.startsWith("flink_taskmanager_job_task_operator_streamlearn_")).toList();
            String trained = samples.stream().filter(l -> l.contains("_examples_trained{")).findFirst().orElse("none");
            say("demo: the trainer exported " + samples.size() + " streamlearn metric samples at " + url + ", e.g. "
                    + trained);
        } catch (IOException e) {
            out.println("demo: could not scrape the trainer's metrics at " + url + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
