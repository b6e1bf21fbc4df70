package io.streamlearn.app;

import io.prometheus.client.CollectorRegistry;
import io.streamlearn.core.broker.EmbeddedKafkaBroker;
import io.streamlearn.core.event.ChallengerPromotedEvent;
import io.streamlearn.core.event.ModelRolledBackEvent;
import io.streamlearn.core.event.PlatformEvent;
import io.streamlearn.core.io.FileTrees;
import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.kafka.Topics;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.snapshot.ManifestMetrics;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.SnapshotStore;
import io.streamlearn.monitor.flink.FlinkMetricsBridge;
import io.streamlearn.monitor.metrics.MetricsServer;
import io.streamlearn.monitor.quality.PromotionRules;
import io.streamlearn.monitor.quality.QualityConfig;
import io.streamlearn.monitor.quality.ServedQualityMonitor;
import io.streamlearn.monitor.report.ReportWriter;
import io.streamlearn.serving.PredictionService;
import io.streamlearn.serving.ServingConfig;
import io.streamlearn.trainer.job.TrainerConfig;
import io.streamlearn.trainer.job.TrainerJob;
import io.streamlearn.trainer.join.JoinConfig;
import io.streamlearn.trainer.join.JoinJob;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.admin.Admin;

/**
 * One embedded run of the whole loop: broker, trainer job, serving, a labeled stream (Fashion-MNIST
 * or synthetic) with a concept change part-way, prediction requests drawn from the same stream, late
 * labels on the feedback topic, and a predictions reader that scores served answers against the
 * true labels. Components talk only through Kafka and the snapshot store, as they do on a cluster.
 *
 * <p>This class orchestrates; {@link DemoTraffic} generates requests and late labels, {@link DemoOutputs} reads
 * predictions and events, the {@link ServedQualityMonitor} measures served accuracy, {@link DemoView} prints.
 */
public final class DemoRun {
    /**
     * The demo's monitor promotes challengers and rolls worse versions back, on fewer labels than a deployment's
     * default (1000): at 200 requests per second a version serves for a few seconds only.
     */
    static final PromotionRules DECISIONS = new PromotionRules(true, 200, 0.02, true, 200, 0.05);

    /**
     * What to run.
     *
     * @param duration             how long the stream runs
     * @param rate                 examples per second put on the stream (requests included)
     * @param requestRate          of those, prediction requests per second
     * @param data                 Fashion-MNIST directory, or null for the synthetic stream
     * @param features             synthetic: feature count
     * @param classes              synthetic: class count
     * @param classSep             synthetic: class separation
     * @param seed                 seed of the stream, the drift and the model
     * @param spec                 spec name or file, or null for the stream's default
     * @param device               auto, cpu, gpu or gpu:N
     * @param checkpointIntervalMs checkpoint and snapshot interval
     * @param driftAfter           when the concept changes, or null for never
     * @param store                snapshot store, or null for a temporary one
     * @param reportDir            where the learning-curve report goes, or null for none
     */
    public record Settings(Duration duration, double rate, double requestRate, Path data, int features, int classes,
            double classSep, long seed, String spec, String device, long checkpointIntervalMs, Duration driftAfter,
            Path store, Path reportDir) {}

    /**
     * What happened.
     *
     * @param model        model name
     * @param trained      examples trained on (newest manifest)
     * @param version      version being served at the end
     * @param requests     requests sent
     * @param predictions  distinct requests answered
     * @param labeled      answers the served-quality monitor joined with their late label
     * @param correct      of those, answers equal to the request's true label
     * @param unpublished  answers naming a version the store does not have
     * @param bestHoldout  best holdout accuracy of a published version
     * @param lastHoldout  holdout accuracy of the newest version
     * @param p99Ms        p99 request-to-prediction round trip
     * @param deadLetters  records on the dead-letter topics
     * @param driftEvents  drift events on the events topic
     * @param decisions    the monitor's promotions, refusals and rollbacks, oldest first
     * @param report       the HTML report, or null when none was written
     */
    public record Summary(String model, long trained, long version, long requests, long predictions, long labeled,
            long correct, long unpublished, double bestHoldout, double lastHoldout, double p99Ms, long deadLetters,
            long driftEvents, List<PlatformEvent> decisions, Path report) {
        public double accuracy() {
            return labeled == 0 ? Double.NaN : (double) correct / labeled;
        }

        public boolean ok() {
            return predictions > 0 && predictions == requests && unpublished == 0;
        }

        public String line() {
            return String.format(Locale.ROOT, "demo: trained %d examples, serving model %s v%d, served accuracy %.3f "
                            + "over %d predictions (%d requests), best holdout accuracy %.3f, p99 %.1f ms, "
                            + "%d dead letters, %d drift events, %d promotions, %d rollbacks%s", trained, model,
                    version, accuracy(), predictions, requests, bestHoldout, p99Ms, deadLetters, driftEvents,
                    count(ChallengerPromotedEvent.class), count(ModelRolledBackEvent.class),
                    report == null ? "" : ", report " + report);
        }

        private long count(Class<? extends PlatformEvent> kind) {
            return decisions.stream().filter(kind::isInstance).count();
        }
    }

    private final Settings s;
    private final PrintStream out;
    private final DemoView view;

    public DemoRun(Settings settings, PrintStream out, boolean live) {
        this.s = settings;
        this.out = out;
        this.view = new DemoView(out, live);
    }

    public DemoRun(Settings settings, PrintStream out) {
        this(settings, out, false);
    }

    private DemoStream openStream() {
        if (s.data() != null) {
            if (DemoStream.Fashion.availableIn(s.data())) {
                return new DemoStream.Fashion(s.data(), s.seed());
            }
            out.println("demo: no Fashion-MNIST in " + s.data() + " (install it with `apt-get install "
                    + "dataset-fashion-mnist`, or pass --data DIR); using the synthetic stream instead");
        }
        return new DemoStream.Synthetic(s.features(), s.classes(), s.classSep(), s.seed());
    }

    public Summary run() throws Exception {
        Path store = s.store() != null ? s.store() : Files.createTempDirectory("streamlearn-demo-store-");
        Topics topics = Topics.defaults();
        DemoStream stream = openStream();
        ModelSpec spec = s.spec() == null ? stream.defaultSpec() : SpecResolver.resolve(s.spec());
        SnapshotStore snapshots = new SnapshotStore(store);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().start()) {
            String bootstrap = broker.bootstrapServers();
            try (Admin admin = KafkaClients.admin(bootstrap, Map.of())) {
                topics.createAll(admin, 2, (short) 1);
            }
            view.banner("demo: Kafka on " + bootstrap + "; stream: " + stream.describe() + "; model " + spec.name()
                    + "; snapshots in " + store + "; running for " + s.duration()
                    + (s.driftAfter() == null ? "" : ", concept change after " + s.driftAfter()));
            TrainerConfig trainerConfig = TrainerConfig.builder().setBootstrapServers(bootstrap).setSpec(spec)
                    .setStoreRoot(store.toString()).optCheckpointIntervalMs(s.checkpointIntervalMs())
                    .optMaxWaitMs(100).optDevice(s.device()).build();
            // The trainer's Flink metrics, named as Flink's Prometheus reporter names them on a cluster.
            JobClient job = TrainerJob.runLocal(trainerConfig,
                    Configuration.fromMap(FlinkMetricsBridge.reporterSettings()));
            // The label join, as a deployment runs it: served requests and their late labels become examples. Its
            // MiniCluster starts beside serving rather than before it (it reads both topics from their beginning).
            CompletableFuture<JobClient> join = CompletableFuture.supplyAsync(() -> {
                try {
                    return JoinJob.runLocal(JoinConfig.fromArgs("-b", bootstrap, "--window-ms", "60000",
                            "--checkpoint-interval-ms", Long.toString(s.checkpointIntervalMs())),
                            Configuration.fromMap(FlinkMetricsBridge.reporterSettings()), UnaryOperator.identity());
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            });
            ServingConfig servingConfig = ServingConfig.builder().setBootstrapServers(bootstrap)
                    .setModel(spec.name()).setStoreRoot(store).optHttpAddress("127.0.0.1", 0).build();
            // One registry for serving and the served-quality monitor: serving's /metrics shows both.
            CollectorRegistry registry = new CollectorRegistry();
            try (PredictionService serving = new PredictionService(servingConfig, registry);
                    ServedQualityMonitor quality = new ServedQualityMonitor(
                            QualityConfig.builder().setBootstrapServers(bootstrap).optStore(store)
                                    .optRules(DECISIONS).build(), registry);
                    // Requests wait for the monitor too: it reads from the end, so it must see every prediction.
                    DemoTraffic traffic = new DemoTraffic(bootstrap, topics, stream, s.rate(), s.requestRate(),
                            () -> serving.isReady() && quality.isReady());
                    Admin admin = KafkaClients.admin(bootstrap, Map.of());
                    MetricsServer trainerMetrics = MetricsServer.builder().setRegistry(FlinkMetricsBridge.registry())
                            .optJvmMetrics(true).build()) {
                view.banner("demo: trainer metrics at " + trainerMetrics.url());
                serving.start();
                quality.start();
                serving.httpAddress().ifPresent(a -> view.banner("demo: metrics at http://" + a.getHostString() + ":"
                        + a.getPort() + "/metrics (serving and served quality), predictions at POST /v1/predict"));
                DemoOutputs outputs = new DemoOutputs(bootstrap, topics, snapshots, spec.name(), traffic);
                traffic.start();
                outputs.start();
                // The duration and the concept change count from here, when the stream starts: starting the broker,
                // the Flink job and serving takes tens of seconds on a loaded machine, and a 25 s demo spent them all.
                watch(System.nanoTime(), stream, traffic, outputs, quality, snapshots, spec.name(), serving, admin,
                        topics);
                traffic.stop();
                // Every request answered, and every late label joined by the monitor, or 20 s.
                long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while ((outputs.answered() < traffic.requests() || quality.matched() < traffic.labelsSent())
                        && System.nanoTime() < drainUntil) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                }
                outputs.stop();
                view.say("demo: label join: " + JoinCommand.tally(FlinkMetricsBridge.registry()).summary());
                view.trainerMetrics(trainerMetrics.url());
                view.endProgress();
                var history = snapshots.versions(spec.name()).stream().map(v -> snapshots.manifest(spec.name(), v))
                        .toList();
                double best = history.stream().mapToDouble(m -> m.metric(ManifestMetrics.HOLDOUT_ACCURACY))
                        .filter(d -> !Double.isNaN(d)).max().orElse(Double.NaN);
                SnapshotManifest last = history.isEmpty() ? null : history.get(history.size() - 1);
                Path report = null;
                if (s.reportDir() != null && last != null) {
                    // The curves are over trained examples: the monitor's served-error events count labeled
                    // predictions instead, so only the trainer's events are marked (the monitor's are logged).
                    report = ReportWriter.write(snapshots, spec.name(), new ArrayList<>(outputs.trainerDrifts()),
                            quality.decisionEvents(), s.reportDir()).toAbsolutePath();
                }
                return new Summary(spec.name(), last == null ? 0 : last.examplesSeen(), serving.currentVersion(),
                        traffic.requests(), outputs.answered(), quality.matched(), quality.correct(),
                        outputs.unpublished(), best, last == null ? Double.NaN : last.metric(ManifestMetrics.HOLDOUT_ACCURACY),
                        traffic.p99Ms(), DemoOutputs.deadLetters(admin, topics), outputs.driftEvents(),
                        quality.decisionEvents(), report);
            } finally {
                try {
                    join.get(60, TimeUnit.SECONDS).cancel().get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    out.println("demo: label join job did not cancel cleanly: " + e.getMessage());
                }
                try {
                    job.cancel().get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    out.println("demo: trainer job did not cancel cleanly: " + e.getMessage());
                }
            }
        } finally {
            if (s.store() == null) {
                FileTrees.deleteRecursively(store);
            }
        }
    }

    /** Until the duration is over: a progress line every two seconds, and the concept change when it is due. */
    private void watch(long started, DemoStream stream, DemoTraffic traffic, DemoOutputs outputs,
            ServedQualityMonitor quality, SnapshotStore snapshots, String model, PredictionService serving,
            Admin admin, Topics topics) {
        long deadline = started + s.duration().toNanos();
        long driftAt = s.driftAfter() == null ? Long.MAX_VALUE : started + s.driftAfter().toNanos();
        long lastExamples = 0;
        long lastTick = System.nanoTime();
        int decisionsShown = 0;
        while (System.nanoTime() < deadline && !Thread.currentThread().isInterrupted()) {
            LockSupport.parkNanos(Math.min(TimeUnit.SECONDS.toNanos(2), Math.max(1, deadline - System.nanoTime())));
            if (!stream.drifted() && System.nanoTime() >= driftAt) {
                stream.drift();
                view.say("demo: concept change now: every label is permuted");
            }
            long now = System.nanoTime();
            long sent = traffic.examplesSent();
            double perSecond = (sent - lastExamples) * 1e9 / Math.max(1, now - lastTick);
            lastExamples = sent;
            lastTick = now;
            List<PlatformEvent> decisions = quality.decisionEvents();
            for (; decisionsShown < decisions.size(); decisionsShown++) {
                view.decision(decisions.get(decisionsShown));
            }
            // Correct first: the monitor counts a match before its outcome, so the ratio never exceeds 1.
            long correct = quality.correct();
            long labeled = quality.matched();
            view.progress(new DemoView.Progress(TimeUnit.NANOSECONDS.toSeconds(now - started), perSecond,
                    snapshots.latest(model), serving.currentVersion(), outputs.answered(),
                    labeled == 0 ? Double.NaN : (double) correct / labeled, traffic.p99Ms(),
                    DemoOutputs.deadLetters(admin, topics), outputs.driftEvents(),
                    decisions.stream().filter(ChallengerPromotedEvent.class::isInstance).count(),
                    decisions.stream().filter(ModelRolledBackEvent.class::isInstance).count()));
        }
    }
}
