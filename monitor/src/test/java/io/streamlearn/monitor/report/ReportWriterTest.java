package io.streamlearn.monitor.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlearn.core.drift.Adwin;
import io.streamlearn.core.drift.DriftDetector;
import io.streamlearn.core.event.ChallengerPromotedEvent;
import io.streamlearn.core.event.ChallengerRefusedEvent;
import io.streamlearn.core.event.DriftEvent;
import io.streamlearn.core.event.ModelRolledBackEvent;
import io.streamlearn.core.event.PlatformEvent;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.snapshot.ManifestMetrics;
import io.streamlearn.core.snapshot.SnapshotDraft;
import io.streamlearn.core.snapshot.SnapshotStore;
import io.streamlearn.ingest.source.SeaStream;
import io.streamlearn.monitor.testkit.MutableClock;
import io.streamlearn.monitor.testkit.OnlineLogisticRegression;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renders the report of a store filled the way the trainer fills it: a learner (here a small online logistic
 * regression on ingest's SEA stream with three concept changes) publishes a snapshot every 2,000 examples with
 * its prequential and holdout accuracy, loss and per-class metrics; ADWIN on its prequential error gives the
 * drift events. With {@code -Dstreamlearn.docs.images=DIR} the PNG is also copied to DIR/learning-curves.png.
 */
class ReportWriterTest {
    private static final int PUBLISH_EVERY = 2_000;

    @TempDir
    Path dir;

    record Run(SnapshotStore store, List<DriftEvent> events) {}

    private Run trainSea() {
        MutableClock clock = new MutableClock(1_700_000_000_000L);
        SnapshotStore store = new SnapshotStore(dir.resolve("store"), clock);
        ModelSpec spec = ModelSpec.mlp("sea", 3, 2);
        SeaStream sea = new SeaStream(15_000, 0.1, 7, 60_000, "sea-");
        OnlineLogisticRegression model = new OnlineLogisticRegression(3, 0.1, 0.1, 3_000);
        DriftDetector adwin = Adwin.create();
        List<DriftEvent> events = new ArrayList<>();
        long trained = 0;
        int correct = 0;
        int seen = 0;
        int heldOut = 0;
        int heldOutCorrect = 0;
        long[][] confusion = new long[2][2];
        long lastDrift = -10_000;
        while (sea.hasNext()) {
            Example e = sea.next();
            if (e.id().hashCode() % 10 == 0) { // a deterministic holdout by id, never trained on
                heldOut++;
                heldOutCorrect += 1 - model.test(e);
                continue;
            }
            int err = model.testThenTrain(e);
            trained++;
            seen++;
            correct += 1 - err;
            int predicted = err == 0 ? e.label() : 1 - e.label();
            confusion[e.label()][predicted]++;
            double before = adwin.estimate();
            // Rises of the error only, one event per burst of cuts, as the trainer reports them.
            if (adwin.update(err) && !(adwin.estimate() <= before) && trained - lastDrift > 1_000) {
                lastDrift = trained;
                events.add(new DriftEvent("sea", "trainer", adwin.name(), DriftEvent.PREQUENTIAL_ERROR, trained,
                        store.latestVersion("sea"), adwin.estimate(), clock.millis()));
            }
            if (trained % PUBLISH_EVERY == 0) {
                Map<String, Double> metrics = new LinkedHashMap<>();
                metrics.put(ManifestMetrics.PREQUENTIAL_ACCURACY, (double) correct / seen);
                metrics.put(ManifestMetrics.HOLDOUT_ACCURACY,
                        heldOut == 0 ? Double.NaN : (double) heldOutCorrect / heldOut);
                metrics.put(ManifestMetrics.LOSS, model.takeMeanLoss());
                double f1Sum = 0;
                for (int k = 0; k < 2; k++) {
                    double tp = confusion[k][k];
                    double precision = tp / (confusion[0][k] + confusion[1][k]);
                    double recall = tp / (confusion[k][0] + confusion[k][1]);
                    double f1 = 2 * precision * recall / (precision + recall);
                    metrics.put(ManifestMetrics.precision(k), precision);
                    metrics.put(ManifestMetrics.recall(k), recall);
                    metrics.put(ManifestMetrics.f1(k), f1);
                    f1Sum += f1;
                }
                metrics.put(ManifestMetrics.MACRO_F1, f1Sum / 2);
                long parent = store.latestVersion("sea");
                store.publish(new SnapshotDraft(spec, ByteBuffer.allocate(8).putLong(trained).array(), trained,
                        trained, -1, parent, "test: online logistic regression", "cpu", metrics,
                        Map.of("topic", "sea (SeaStream, concept 15000, noise 0.1, seed 7)")));
                clock.advance(Duration.ofSeconds(5));
                correct = 0;
                seen = 0;
                heldOut = 0;
                heldOutCorrect = 0;
                confusion = new long[2][2];
            }
        }
        return new Run(store, events);
    }

    @Test
    void rendersTheLearningCurvesWithVersionsAndDriftsToPngAndASelfContainedPage() throws Exception {
        Run run = trainSea();
        assertThat(run.store().versions("sea")).hasSize(27);
        System.out.println("report drift events: " + run.events());
        assertThat(run.events()).isNotEmpty();

        Path out = dir.resolve("report");
        Path html = ReportWriter.write(run.store(), "sea", run.events(), out);
        Path png = out.resolve("sea-learning-curves.png");
        assertThat(html).isEqualTo(out.resolve("sea-report.html"));

        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(CurvePlot.WIDTH);
        assertThat(image.getHeight()).isEqualTo(CurvePlot.HEIGHT);
        assertThat(countPixels(image, 0xd62728)).as("red drift markers").isGreaterThan(100);
        assertThat(countPixels(image, 0x1f77b4)).as("the prequential curve").isGreaterThan(200);
        assertThat(countPixels(image, 0xff7f0e)).as("the holdout curve").isGreaterThan(200);

        String page = Files.readString(html);
        assertThat(page).contains("<h1>Model sea</h1>").contains("Newest version <b>v27</b>")
                .contains("<th>class</th><th>precision</th><th>recall</th><th>F1</th>")
                .contains("<tr><td>0</td>").contains("<tr><td>1</td>").doesNotContain("<tr><td>2</td>")
                .contains(run.events().size() + " drift events").contains("prequential_error")
                .doesNotContain("src=\"http").doesNotContain("<link");
        String base64 = page.substring(page.indexOf("base64,") + 7, page.indexOf('"', page.indexOf("base64,")));
        assertThat(Base64.getDecoder().decode(base64)).isEqualTo(Files.readAllBytes(png));
        assertThat(ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(base64)))).isNotNull();

        String docs = System.getProperty("streamlearn.docs.images");
        if (docs != null && !docs.isBlank()) {
            Files.createDirectories(Path.of(docs));
            Files.copy(png, Path.of(docs, "learning-curves.png"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Test
    void rendersWithoutDriftsOrPerClassMetricsAndOnlyThisModelsEvents() throws Exception {
        SnapshotStore store = new SnapshotStore(dir.resolve("plain"));
        store.publish(new SnapshotDraft(ModelSpec.mlp("m", 2, 3), new byte[] {1}, 100, 1, -1, 0, "e", "cpu",
                Map.of(ManifestMetrics.PREQUENTIAL_ACCURACY, 0.5, ManifestMetrics.LOSS, Double.NaN), Map.of()));
        DriftEvent other = new DriftEvent("other", "trainer", "adwin", DriftEvent.PREQUENTIAL_ERROR, 50, 1, 0.2, 0);
        Path html = ReportWriter.write(store, "m", List.of(other), dir.resolve("out"));
        String page = Files.readString(html);
        assertThat(page).contains("0 drift events").contains("has no per-class metrics").contains("<p>None.</p>");
        assertThat(ImageIO.read(dir.resolve("out").resolve("m-learning-curves.png").toFile())).isNotNull();
    }

    @Test
    void listsTheMonitorsPromotionsRefusalsAndRollbacksOfThisModel() throws Exception {
        SnapshotStore store = new SnapshotStore(dir.resolve("decided"));
        store.publish(new SnapshotDraft(ModelSpec.mlp("m", 2, 3), new byte[] {1}, 100, 1, -1, 0, "e", "cpu",
                Map.of(ManifestMetrics.PREQUENTIAL_ACCURACY, 0.5), Map.of()));
        List<PlatformEvent> decisions = List.of(
                new ModelRolledBackEvent("m", PlatformEvent.MONITOR, 1, 2, 200, 0.4, 0.1, 0),
                new ChallengerRefusedEvent("m", PlatformEvent.MONITOR, 3, 1, 200, 0.5, 0.1, 0),
                new ChallengerPromotedEvent("m", PlatformEvent.MONITOR, 4, 1, 200, 0.05, 0.1, 0),
                new ChallengerPromotedEvent("other", PlatformEvent.MONITOR, 9, 8, 200, 0.05, 0.1, 0));
        String page = Files.readString(ReportWriter.write(store, "m", List.of(), decisions, dir.resolve("out")));
        assertThat(page).contains("<h2>Promotions and rollbacks</h2>")
                .contains("<td>rolled back from v2</td><td>v1</td><td>v2</td><td>200</td><td>0.1000</td><td>0.4000</td>")
                .contains("<td>challenger refused</td><td>v3</td><td>v1</td><td>200</td><td>0.5000</td><td>0.1000</td>")
                .contains("<td>challenger promoted</td><td>v4</td><td>v1</td>").doesNotContain("<td>v9</td>");
    }

    @Test
    void refusesAModelTheStoreDoesNotHave() {
        SnapshotStore store = new SnapshotStore(dir.resolve("empty"));
        assertThatThrownBy(() -> ReportWriter.write(store, "nope", List.of(), dir.resolve("out")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has no version of model 'nope'; check --store and --model");
    }

    private static int countPixels(BufferedImage image, int rgb) {
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xFFFFFF) == rgb) {
                    n++;
                }
            }
        }
        return n;
    }
}
