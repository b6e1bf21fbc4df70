package io.streamlearn.monitor.report;

import io.streamlearn.core.event.DriftEvent;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Draws a {@link LearningCurve} with Java2D, headless: accuracies on top, loss below, versions and drifts marked. */
final class CurvePlot {
    private static final Logger LOG = LoggerFactory.getLogger(CurvePlot.class);
    static final int WIDTH = 1100;
    static final int HEIGHT = 720;
    private static final int LEFT = 80;
    private static final int RIGHT = 30;
    private static final Color PREQUENTIAL = new Color(0x1f, 0x77, 0xb4);
    private static final Color HOLDOUT = new Color(0xff, 0x7f, 0x0e);
    private static final Color LOSS = new Color(0x2c, 0xa0, 0x2c);
    private static final Color DRIFT = new Color(0xd6, 0x27, 0x28);
    private static final Color GRID = new Color(0xe6, 0xe6, 0xe6);
    private static final Color VERSION = new Color(0x99, 0x99, 0x99);

    private final LearningCurve curve;
    private final List<DriftEvent> drifts;
    private Graphics2D g;
    private boolean text = true;

    CurvePlot(LearningCurve curve, List<DriftEvent> drifts) {
        this.curve = curve;
        this.drifts = List.copyOf(drifts);
    }

    BufferedImage render() {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            long minX = curve.points().get(0).examplesSeen();
            long maxX = curve.points().get(curve.points().size() - 1).examplesSeen();
            for (DriftEvent e : drifts) {
                minX = Math.min(minX, e.examplesSeen());
                maxX = Math.max(maxX, e.examplesSeen());
            }
            minX = Math.min(minX, 0);
            if (maxX <= minX) {
                maxX = minX + 1;
            }
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
            text("Learning curves of " + curve.model() + " (" + curve.points().size() + " versions, newest v"
                    + curve.newest().version() + ")", LEFT, 26);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            double minAcc = curve.points().stream()
                    .flatMapToDouble(p -> java.util.stream.DoubleStream.of(p.prequentialAccuracy(), p.holdoutAccuracy()))
                    .filter(Double::isFinite).min().orElse(0);
            // Accuracy from the tenth below the lowest point to 1, so a drop of a few points stays visible.
            Panel acc = new Panel(50, 400, minX, maxX, Math.max(0, Math.floor(minAcc * 10 - 1) / 10), 1, "accuracy");
            double maxLoss = curve.points().stream().mapToDouble(LearningCurve.Point::loss)
                    .filter(Double::isFinite).max().orElse(1);
            Panel loss = new Panel(470, 650, minX, maxX, 0, niceCeil(maxLoss), "loss");
            for (Panel p : List.of(acc, loss)) {
                p.frame();
                p.versions();
                p.drifts();
            }
            acc.line(LearningCurve.Point::prequentialAccuracy, PREQUENTIAL);
            acc.line(LearningCurve.Point::holdoutAccuracy, HOLDOUT);
            loss.line(LearningCurve.Point::loss, LOSS);
            legend(acc);
            g.setColor(Color.DARK_GRAY);
            text("examples seen", WIDTH / 2 - 40, HEIGHT - 16);
        } finally {
            g.dispose();
        }
        return image;
    }

    private void legend(Panel acc) {
        int x = WIDTH - RIGHT - 230;
        int y = acc.bottom - 5 * 18 - 4;
        g.setColor(new Color(255, 255, 255, 225));
        g.fillRect(x - 8, y - 16, 222, 5 * 18 + 10);
        g.setColor(GRID);
        g.drawRect(x - 8, y - 16, 222, 5 * 18 + 10);
        Object[][] items = {{"prequential accuracy", PREQUENTIAL}, {"holdout accuracy", HOLDOUT},
                {"loss (lower panel)", LOSS}, {"drift detected", DRIFT}, {"model version", VERSION}};
        for (Object[] it : items) {
            g.setColor((Color) it[1]);
            g.setStroke(new BasicStroke(3));
            g.drawLine(x, y - 4, x + 24, y - 4);
            g.setColor(Color.BLACK);
            text((String) it[0], x + 32, y);
            y += 18;
        }
    }

    private final class Panel {
        final int top;
        final int bottom;
        final long minX;
        final long maxX;
        final double minY;
        final double maxY;
        final String label;

        Panel(int top, int bottom, long minX, long maxX, double minY, double maxY, String label) {
            this.top = top;
            this.bottom = bottom;
            this.minX = minX;
            this.maxX = maxX;
            this.minY = minY;
            this.maxY = maxY;
            this.label = label;
        }

        int x(double v) {
            return LEFT + (int) Math.round((v - minX) / (double) (maxX - minX) * (WIDTH - LEFT - RIGHT));
        }

        int y(double v) {
            return bottom - (int) Math.round((v - minY) / (maxY - minY) * (bottom - top));
        }

        void frame() {
            g.setStroke(new BasicStroke(1));
            for (int i = 0; i <= 5; i++) {
                double v = minY + (maxY - minY) * i / 5;
                g.setColor(GRID);
                g.drawLine(LEFT, y(v), WIDTH - RIGHT, y(v));
                g.setColor(Color.DARK_GRAY);
                text(String.format(Locale.ROOT, "%.2f", v), LEFT - 42, y(v) + 4);
            }
            for (int i = 0; i <= 5; i++) {
                double v = minX + (maxX - minX) * i / 5.0;
                g.setColor(Color.DARK_GRAY);
                text(compact(v), x(v) - 14, bottom + 18);
            }
            g.setColor(Color.BLACK);
            g.drawRect(LEFT, top, WIDTH - LEFT - RIGHT, bottom - top);
            text(label, 8, top + 12);
        }

        void versions() {
            g.setColor(VERSION);
            g.setStroke(new BasicStroke(1));
            int every = Math.max(1, curve.points().size() / 12);
            for (int i = 0; i < curve.points().size(); i++) {
                LearningCurve.Point p = curve.points().get(i);
                int x = x(p.examplesSeen());
                g.drawLine(x, bottom, x, bottom - 6);
                if (top < 100 && (i % every == 0 || i == curve.points().size() - 1)) {
                    text("v" + p.version(), x - 8, top - 4);
                }
            }
        }

        void drifts() {
            g.setColor(DRIFT);
            g.setStroke(new BasicStroke(2, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 4}, 0));
            for (DriftEvent e : drifts) {
                g.drawLine(x(e.examplesSeen()), top, x(e.examplesSeen()), bottom);
            }
        }

        void line(ToDoubleFunction<LearningCurve.Point> f, Color color) {
            g.setColor(color);
            g.setStroke(new BasicStroke(2.2f));
            Path2D path = new Path2D.Double();
            boolean open = false;
            for (LearningCurve.Point p : curve.points()) {
                double v = f.applyAsDouble(p);
                if (!Double.isFinite(v)) {
                    open = false;
                    continue;
                }
                double cy = Math.max(minY, Math.min(maxY, v));
                if (open) {
                    path.lineTo(x(p.examplesSeen()), y(cy));
                } else {
                    path.moveTo(x(p.examplesSeen()), y(cy));
                    open = true;
                }
                g.fillOval(x(p.examplesSeen()) - 3, y(cy) - 3, 6, 6);
            }
            g.draw(path);
        }
    }

    /** Draws text unless the JVM has no usable font (a headless box without fonts): then the plot stays unlabeled. */
    private void text(String s, int x, int y) {
        if (!text) {
            return;
        }
        try {
            g.drawString(s, x, y);
        } catch (RuntimeException | InternalError e) {
            text = false;
            LOG.warn("cannot draw text ({}): the plot has no labels; install a font package (fonts-dejavu-core)",
                    e.toString());
        }
    }

    static String compact(double v) {
        if (Math.abs(v) >= 1_000_000) {
            return String.format(Locale.ROOT, "%.1fM", v / 1_000_000);
        }
        if (Math.abs(v) >= 1_000) {
            return String.format(Locale.ROOT, "%.0fk", v / 1_000);
        }
        return String.format(Locale.ROOT, "%.0f", v);
    }

    static double niceCeil(double v) {
        if (!(v > 0)) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }
}
