package io.streamlearn.monitor.report;

import io.streamlearn.core.event.ChallengerPromotedEvent;
import io.streamlearn.core.event.ChallengerRefusedEvent;
import io.streamlearn.core.event.DriftEvent;
import io.streamlearn.core.event.ModelRolledBackEvent;
import io.streamlearn.core.event.PlatformEvent;
import io.streamlearn.core.snapshot.ManifestMetrics;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.SnapshotStore;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;

/**
 * Writes the learning-curve report of one model: {@code <model>-learning-curves.png} and a self-contained
 * {@code <model>-report.html} (the PNG inlined as base64, the per-class precision/recall/F1 of the newest
 * version, the versions and the drift events).
 *
 * <pre>{@code
 * Path html = ReportWriter.write(new SnapshotStore(Path.of("snapshots")), "mlp", driftEvents, Path.of("report"));
 * }</pre>
 */
public final class ReportWriter {
    private ReportWriter() {}

    /**
     * Renders the report of {@code model} from the manifests in {@code store} into {@code outDir} (created if
     * missing), marking {@code events} of that model on the curves.
     *
     * @return the HTML page
     * @throws IllegalArgumentException when the store has no version of the model
     * @throws UncheckedIOException     when the files cannot be written
     */
    public static Path write(SnapshotStore store, String model, List<DriftEvent> events, Path outDir) {
        return write(store, model, events, List.of(), outDir);
    }

    /**
     * As {@link #write(SnapshotStore, String, List, Path)}, with the monitor's decisions on which version served
     * (challenger promotions and refusals, rollbacks) in a table of their own.
     */
    public static Path write(SnapshotStore store, String model, List<DriftEvent> events, List<PlatformEvent> decisions,
            Path outDir) {
        LearningCurve curve = LearningCurve.read(store, model);
        List<DriftEvent> mine = events == null ? List.of()
                : events.stream().filter(e -> e.model().equals(model)).toList();
        byte[] png = png(curve, mine);
        try {
            Files.createDirectories(outDir);
            Files.write(outDir.resolve(model + "-learning-curves.png"), png);
            Path html = outDir.resolve(model + "-report.html");
            Files.writeString(html, html(curve, mine, decisions == null ? List.of()
                    : decisions.stream().filter(e -> e.model().equals(model)).toList(), png), StandardCharsets.UTF_8);
            return html;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report of " + model + " to " + outDir + ": "
                    + e.getMessage() + "; choose a writable --out directory", e);
        }
    }

    /** The learning curves as PNG bytes. */
    public static byte[] png(LearningCurve curve, List<DriftEvent> events) {
        BufferedImage image = new CurvePlot(curve, events).render();
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
        try {
            if (!ImageIO.write(image, "png", out)) {
                throw new IllegalStateException("this JVM has no PNG writer (javax.imageio)");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static String html(LearningCurve curve, List<DriftEvent> events, byte[] png) {
        return html(curve, events, List.of(), png);
    }

    static String html(LearningCurve curve, List<DriftEvent> events, List<PlatformEvent> decisions, byte[] png) {
        SnapshotManifest m = curve.newest();
        StringBuilder h = new StringBuilder(png.length * 4 / 3 + 8192);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>streamlearn report: ")
                .append(esc(curve.model())).append("</title>\n<style>\n")
                .append("body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}")
                .append("td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}th{background:#f4f4f4}")
                .append("td:first-child,th:first-child{text-align:left}img{max-width:100%}\n</style></head><body>\n");
        h.append("<h1>Model ").append(esc(curve.model())).append("</h1>\n");
        h.append("<p>Newest version <b>v").append(m.version()).append("</b>, published ")
                .append(Instant.ofEpochMilli(m.createdMs())).append(", after ").append(m.examplesSeen())
                .append(" examples and ").append(m.stepsSeen()).append(" steps (").append(esc(m.engine())).append(", ")
                .append(esc(m.device())).append("). ").append(curve.points().size()).append(" versions, ")
                .append(events.size()).append(" drift events.</p>\n");
        h.append("<h2>Learning curves</h2>\n<img alt=\"learning curves of ").append(esc(curve.model()))
                .append("\" src=\"data:image/png;base64,").append(Base64.getEncoder().encodeToString(png))
                .append("\">\n");

        h.append(curve.isRegression() ? "<h2>Quality of v" : "<h2>Per-class quality of v").append(m.version())
                .append("</h2>\n");
        int classes = curve.classes();
        if (curve.isRegression()) {
            h.append("<p>A regression model: holdout R² ").append(num(m.metric(ManifestMetrics.HOLDOUT_R2)))
                    .append(", RMSE ").append(num(m.metric(ManifestMetrics.HOLDOUT_RMSE))).append(", MAE ")
                    .append(num(m.metric(ManifestMetrics.HOLDOUT_MAE))).append(" (prequential R² ")
                    .append(num(m.metric(ManifestMetrics.PREQUENTIAL_R2))).append(").</p>\n");
        } else if (classes == 0) {
            h.append("<p>The manifest of v").append(m.version())
                    .append(" has no per-class metrics (precision_k, recall_k, f1_k).</p>\n");
        } else {
            h.append("<table><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th></tr>\n");
            for (int k = 0; k < classes; k++) {
                h.append("<tr><td>").append(k).append("</td><td>").append(num(m.metric(ManifestMetrics.precision(k))))
                        .append("</td><td>").append(num(m.metric(ManifestMetrics.recall(k)))).append("</td><td>")
                        .append(num(m.metric(ManifestMetrics.f1(k)))).append("</td></tr>\n");
            }
            h.append("<tr><th>macro F1</th><td></td><td></td><td>").append(num(m.metric(ManifestMetrics.MACRO_F1)))
                    .append("</td></tr>\n</table>\n");
        }

        h.append("<h2>Metrics at publish of v").append(m.version()).append("</h2>\n<table><tr><th>metric</th><th>value</th></tr>\n");
        for (Map.Entry<String, Double> e : new TreeMap<>(m.metrics()).entrySet()) {
            if (!e.getKey().matches("(precision|recall|f1)_\\d+")) {
                h.append("<tr><td>").append(esc(e.getKey())).append("</td><td>").append(num(e.getValue()))
                        .append("</td></tr>\n");
            }
        }
        h.append("</table>\n");

        h.append("<h2>Drift events</h2>\n");
        if (events.isEmpty()) {
            h.append("<p>None.</p>\n");
        } else {
            h.append("<table><tr><th>time</th><th>component</th><th>detector</th><th>signal</th>")
                    .append("<th>examples seen</th><th>version</th><th>estimate after</th></tr>\n");
            for (DriftEvent e : events) {
                h.append("<tr><td>").append(Instant.ofEpochMilli(e.timeMs())).append("</td><td>")
                        .append(esc(e.component())).append("</td><td>").append(esc(e.detector())).append("</td><td>")
                        .append(esc(e.signal())).append("</td><td>").append(e.examplesSeen()).append("</td><td>")
                        .append(e.version()).append("</td><td>").append(num(e.estimate())).append("</td></tr>\n");
            }
            h.append("</table>\n");
        }

        decisions(h, decisions);

        h.append("<h2>Versions</h2>\n<table><tr><th>version</th><th>published</th><th>examples seen</th>")
                .append(curve.isRegression() ? "<th>holdout R²</th><th>holdout RMSE</th><th>loss</th></tr>\n"
                        : "<th>prequential accuracy</th><th>holdout accuracy</th><th>loss</th></tr>\n");
        for (LearningCurve.Point p : curve.points()) {
            h.append("<tr><td>v").append(p.version()).append("</td><td>").append(Instant.ofEpochMilli(p.createdMs()))
                    .append("</td><td>").append(p.examplesSeen()).append("</td><td>")
                    .append(num(curve.isRegression() ? p.holdoutR2() : p.prequentialAccuracy())).append("</td><td>")
                    .append(num(curve.isRegression() ? p.holdoutRmse() : p.holdoutAccuracy())).append("</td><td>")
                    .append(num(p.loss()))
                    .append("</td></tr>\n");
        }
        h.append("</table>\n</body></html>\n");
        return h.toString();
    }

    /** The monitor's decisions: which version it promoted, refused or rolled back, and on what evidence. */
    private static void decisions(StringBuilder h, List<PlatformEvent> decisions) {
        h.append("<h2>Promotions and rollbacks</h2>\n");
        if (decisions.isEmpty()) {
            h.append("<p>None.</p>\n");
            return;
        }
        h.append("<table><tr><th>time</th><th>decision</th><th>version</th><th>against</th>")
                .append("<th>labeled predictions</th><th>its error</th><th>the other's error</th></tr>\n");
        for (PlatformEvent e : decisions) {
            if (e instanceof ChallengerPromotedEvent p) {
                decision(h, p.timeMs(), "challenger promoted", p.version(), p.championVersion(), p.labeled(), p.error(),
                        p.championError());
            } else if (e instanceof ChallengerRefusedEvent r) {
                decision(h, r.timeMs(), "challenger refused", r.version(), r.championVersion(), r.labeled(), r.error(),
                        r.championError());
            } else if (e instanceof ModelRolledBackEvent b) {
                decision(h, b.timeMs(), "rolled back from v" + b.fromVersion(), b.version(), b.fromVersion(),
                        b.labeled(), b.previousError(), b.error());
            }
        }
        h.append("</table>\n");
    }

    private static void decision(StringBuilder h, long timeMs, String what, long version, long against, long labeled,
            double error, double otherError) {
        h.append("<tr><td>").append(Instant.ofEpochMilli(timeMs)).append("</td><td>").append(esc(what))
                .append("</td><td>v").append(version).append("</td><td>v").append(against).append("</td><td>")
                .append(labeled).append("</td><td>").append(num(error)).append("</td><td>").append(num(otherError))
                .append("</td></tr>\n");
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "&ndash;" : String.format(Locale.ROOT, "%.4f", v);
    }

    private static String esc(String s) {
        if (s == null) {
            return "";
        }
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
