package io.streamlearn.app;

import io.prometheus.client.CollectorRegistry;
import io.streamlearn.core.broker.EmbeddedKafkaBroker;
import io.streamlearn.core.event.DriftEvent;
import io.streamlearn.core.event.EventCodec;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.feedback.Feedback;
import io.streamlearn.core.feedback.FeedbackJsonCodec;
import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.kafka.Topics;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.prediction.Prediction;
import io.streamlearn.core.prediction.PredictionJsonCodec;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.SnapshotStore;
import io.streamlearn.ingest.produce.ExampleProducer;
import io.streamlearn.monitor.flink.FlinkMetricsBridge;
import io.streamlearn.monitor.metrics.MetricsServer;
import io.streamlearn.monitor.quality.QualityConfig;
import io.streamlearn.monitor.quality.ServedQualityMonitor;
import io.streamlearn.monitor.report.ReportWriter;
import io.streamlearn.serving.PredictionService;
import io.streamlearn.serving.ServingConfig;
import io.streamlearn.trainer.job.TrainerConfig;
import io.streamlearn.trainer.job.TrainerJob;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * One embedded run of the whole loop: broker, trainer job, serving, a labeled stream (Fashion-MNIST
 * or synthetic) with a concept change part-way, prediction requests drawn from the same stream, late
 * labels on the feedback topic, and a predictions reader that scores served answers against the
 * true labels. Components talk only through Kafka and the snapshot store, as they do on a cluster.
 */
public final class DemoRun {
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
     * @param correct      answers equal to the request's true label
     * @param unpublished  answers naming a version the store does not have
     * @param bestHoldout  best holdout accuracy of a published version
     * @param lastHoldout  holdout accuracy of the newest version
     * @param p99Ms        p99 request-to-prediction round trip
     * @param deadLetters  records on the dead-letter topics
     * @param driftEvents  drift events on the events topic
     * @param report       the HTML report, or null when none was written
     */
    public record Summary(String model, long trained, long version, long requests, long predictions, long correct,
            long unpublished, double bestHoldout, double lastHoldout, double p99Ms, long deadLetters,
            long driftEvents, Path report) {
        public double accuracy() {
            return predictions == 0 ? Double.NaN : (double) correct / predictions;
        }

        public boolean ok() {
            return predictions > 0 && predictions == requests && unpublished == 0;
        }

        public String line() {
            return String.format(Locale.ROOT, "demo: trained %d examples, serving model %s v%d, served accuracy %.3f "
                            + "over %d predictions (%d requests), best holdout accuracy %.3f, p99 %.1f ms, "
                            + "%d dead letters, %d drift events%s", trained, model, version, accuracy(), predictions,
                    requests, bestHoldout, p99Ms, deadLetters, driftEvents, report == null ? "" : ", report " + report);
        }
    }

    private final Settings s;
    private final PrintStream out;
    private final boolean live;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicBoolean readerStop = new AtomicBoolean();
    private final Map<String, Integer> truth = new ConcurrentHashMap<>();
    private final Map<String, Long> sentAtNanos = new ConcurrentHashMap<>();
    private final Set<String> answered = ConcurrentHashMap.newKeySet();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong correct = new AtomicLong();
    private final AtomicLong unpublished = new AtomicLong();
    private final AtomicLong driftEvents = new AtomicLong();
    private final List<DriftEvent> trainerDrifts = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final AtomicLong examplesSent = new AtomicLong();
    private final LatencyWindow latency = new LatencyWindow(10_000);

    public DemoRun(Settings settings, PrintStream out, boolean live) {
        this.s = settings;
        this.out = out;
        this.live = live;
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
        long started = System.nanoTime();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().start()) {
            String bootstrap = broker.bootstrapServers();
            try (Admin admin = KafkaClients.admin(bootstrap, Map.of())) {
                topics.createAll(admin, 2, (short) 1);
            }
            out.println("demo: Kafka on " + bootstrap + "; stream: " + stream.describe() + "; model " + spec.name()
                    + "; snapshots in " + store + "; running for " + s.duration()
                    + (s.driftAfter() == null ? "" : ", concept change after " + s.driftAfter()));
            TrainerConfig trainerConfig = TrainerConfig.builder().setBootstrapServers(bootstrap).setSpec(spec)
                    .setStoreRoot(store.toString()).optCheckpointIntervalMs(s.checkpointIntervalMs())
                    .optMaxWaitMs(100).optDevice(s.device()).build();
            // The trainer's Flink metrics, named as Flink's Prometheus reporter names them on a cluster.
            JobClient job = TrainerJob.runLocal(trainerConfig,
                    Configuration.fromMap(FlinkMetricsBridge.reporterSettings()));
            ServingConfig servingConfig = ServingConfig.builder().setBootstrapServers(bootstrap)
                    .setModel(spec.name()).setStoreRoot(store).optHttpAddress("127.0.0.1", 0).build();
            // One registry for serving and the served-quality monitor: serving's /metrics shows both.
            CollectorRegistry registry = new CollectorRegistry();
            try (PredictionService serving = new PredictionService(servingConfig, registry);
                    ServedQualityMonitor quality = new ServedQualityMonitor(
                            QualityConfig.builder().setBootstrapServers(bootstrap).build(), registry);
                    ExampleProducer examples = new ExampleProducer(bootstrap, topics.examples(),
                            ExampleProducer.Format.BINARY, Map.of());
                    ExampleProducer requester = new ExampleProducer(bootstrap, topics.requests(),
                            ExampleProducer.Format.JSON, Map.of());
                    KafkaProducer<byte[], byte[]> feedback = KafkaClients.producer(bootstrap, Map.of());
                    Admin admin = KafkaClients.admin(bootstrap, Map.of());
                    MetricsServer trainerMetrics = MetricsServer.builder().setRegistry(FlinkMetricsBridge.registry())
                            .optJvmMetrics(true).build()) {
                out.println("demo: trainer metrics at " + trainerMetrics.url());
                serving.start();
                quality.start();
                serving.httpAddress().ifPresent(a -> out.println("demo: metrics at http://" + a.getHostString() + ":"
                        + a.getPort() + "/metrics (serving and served quality), predictions at POST /v1/predict"));
                Thread produce = thread("demo-stream", () -> produce(stream, examples, requester, serving));
                Thread reader = thread("demo-predictions", () -> readOutputs(bootstrap, topics, snapshots,
                        spec.name(), feedback));
                long deadline = started + s.duration().toNanos();
                long driftAt = s.driftAfter() == null ? Long.MAX_VALUE : started + s.driftAfter().toNanos();
                long lastExamples = 0;
                long lastTick = System.nanoTime();
                while (System.nanoTime() < deadline && !Thread.currentThread().isInterrupted()) {
                    LockSupport.parkNanos(Math.min(TimeUnit.SECONDS.toNanos(2), Math.max(1, deadline - System.nanoTime())));
                    if (!stream.drifted() && System.nanoTime() >= driftAt) {
                        stream.drift();
                        out.println((live ? "\n" : "") + "demo: concept change now: every label is permuted");
                    }
                    long now = System.nanoTime();
                    long sent = examplesSent.get();
                    double perSecond = (sent - lastExamples) * 1e9 / Math.max(1, now - lastTick);
                    lastExamples = sent;
                    lastTick = now;
                    progress(started, perSecond, snapshots, spec.name(), serving, deadLetters(admin, topics));
                }
                stopping.set(true);
                produce.join();
                requester.flush();
                long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (answered.size() < requests.get() && System.nanoTime() < drainUntil) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                }
                readerStop.set(true);
                reader.join();
                reportTrainerMetrics(trainerMetrics.url());
                if (live) {
                    out.println();
                }
                var history = snapshots.versions(spec.name()).stream().map(v -> snapshots.manifest(spec.name(), v))
                        .toList();
                double best = history.stream().mapToDouble(m -> m.metric("holdout_accuracy"))
                        .filter(d -> !Double.isNaN(d)).max().orElse(Double.NaN);
                SnapshotManifest last = history.isEmpty() ? null : history.get(history.size() - 1);
                Path report = null;
                if (s.reportDir() != null && last != null) {
                    // The curves are over trained examples: the monitor's served-error events count labeled
                    // predictions instead, so only the trainer's events are marked (the monitor's are logged).
                    report = ReportWriter.write(snapshots, spec.name(), new java.util.ArrayList<>(trainerDrifts),
                            s.reportDir()).toAbsolutePath();
                }
                return new Summary(spec.name(), last == null ? 0 : last.examplesSeen(), serving.currentVersion(),
                        requests.get(), answered.size(), correct.get(), unpublished.get(), best,
                        last == null ? Double.NaN : last.metric("holdout_accuracy"), latency.p99(),
                        deadLetters(admin, topics), driftEvents.get(), report);
            } finally {
                try {
                    job.cancel().get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    out.println("demo: trainer job did not cancel cleanly: " + e.getMessage());
                }
            }
        } finally {
            if (s.store() == null) {
                deleteTree(store);
            }
        }
    }

    /** Every k-th example (once serving is ready) becomes a request, the rest go to training. */
    private void produce(DemoStream stream, ExampleProducer examples, ExampleProducer requester,
            PredictionService serving) {
        long every = Math.max(1, Math.round(s.rate() / Math.max(1e-9, s.requestRate())));
        long start = System.nanoTime();
        long n = 0;
        while (!stopping.get()) {
            Example e = stream.next();
            if (n % every == every - 1 && serving.isReady()) {
                String id = "req-" + e.id();
                truth.put(id, e.label());
                sentAtNanos.put(id, System.nanoTime());
                requester.send(Example.request(id, e.features()));
                requests.incrementAndGet();
            } else {
                examples.send(e);
                examplesSent.incrementAndGet();
            }
            n++;
            long wait = start + (long) (n * 1e9 / s.rate()) - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
        }
        examples.flush();
    }

    /** Reads predictions (scores them, sends their late labels to the feedback topic) and events. */
    private void readOutputs(String bootstrap, Topics topics, SnapshotStore snapshots, String model,
            KafkaProducer<byte[], byte[]> feedback) {
        try (KafkaConsumer<byte[], byte[]> c = KafkaClients.consumer(bootstrap, "streamlearn-demo", Map.of())) {
            c.subscribe(List.of(topics.predictions(), topics.events()));
            Set<Long> published = ConcurrentHashMap.newKeySet();
            while (!readerStop.get()) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                    if (r.topic().equals(topics.events())) {
                        countEvent(r.value());
                        continue;
                    }
                    Prediction p = PredictionJsonCodec.decode(r.value());
                    if (!answered.add(p.id())) {
                        continue;
                    }
                    Long sentAt = sentAtNanos.remove(p.id());
                    if (sentAt != null) {
                        latency.add((System.nanoTime() - sentAt) / 1e6);
                    }
                    Integer label = truth.get(p.id());
                    if (label != null) {
                        correct.addAndGet(label == p.label() ? 1 : 0);
                        byte[] json = FeedbackJsonCodec.encode(new Feedback(p.id(), label));
                        feedback.send(new ProducerRecord<>(topics.feedback(), p.id().getBytes(StandardCharsets.UTF_8),
                                json));
                    }
                    if (!published.contains(p.version())) {
                        if (snapshots.versions(model).contains(p.version())) {
                            published.add(p.version());
                        } else {
                            unpublished.incrementAndGet();
                        }
                    }
                }
            }
        }
    }

    private void countEvent(byte[] value) {
        if (EventCodec.decode(value) instanceof DriftEvent e) {
            driftEvents.incrementAndGet();
            if (DriftEvent.PREQUENTIAL_ERROR.equals(e.signal())) {
                trainerDrifts.add(e);
            }
        }
    }

    private static long deadLetters(Admin admin, Topics topics) {
        try {
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            for (String t : List.of(topics.examplesDlq(), topics.predictionsDlq())) {
                for (var p : admin.describeTopics(List.of(t)).allTopicNames().get(5, TimeUnit.SECONDS).get(t)
                        .partitions()) {
                    request.put(new TopicPartition(t, p.partition()), OffsetSpec.latest());
                }
            }
            return admin.listOffsets(request).all().get(5, TimeUnit.SECONDS).values().stream()
                    .mapToLong(i -> i.offset()).sum();
        } catch (Exception e) {
            return -1;
        }
    }

    private void progress(long started, double perSecond, SnapshotStore snapshots, String model,
            PredictionService serving, long dlq) {
        long secs = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        var latest = snapshots.latest(model);
        long answeredCount = answered.size();
        String line = String.format(Locale.ROOT, "[%3ds] %6.0f ex/s | trained %7d | prequential %.3f holdout %.3f | "
                        + "published v%d, serving v%d | %d predictions, accuracy %.3f, p99 %.1f ms | dlq %d | drift %d",
                secs, perSecond, latest.map(SnapshotManifest::examplesSeen).orElse(0L),
                latest.map(m -> m.metric("prequential_accuracy")).orElse(Double.NaN),
                latest.map(m -> m.metric("holdout_accuracy")).orElse(Double.NaN),
                latest.map(SnapshotManifest::version).orElse(0L), serving.currentVersion(), answeredCount,
                answeredCount == 0 ? Double.NaN : (double) correct.get() / answeredCount, latency.p99(), dlq,
                driftEvents.get());
        if (live) {
            out.print("\r\033[K" + line);
            out.flush();
        } else {
            out.println(line);
        }
    }

    /** Scrapes the trainer's metrics once, as Prometheus would, and says what it found. */
    private void reportTrainerMetrics(String url) {
        try {
            var response = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofLines());
            List<String> samples = response.body()
                    .filter(l -> l.startsWith("flink_taskmanager_job_task_operator_streamlearn_")).toList();
            String trained = samples.stream().filter(l -> l.contains("_examples_trained{")).findFirst().orElse("none");
            out.println((live ? "\n" : "") + "demo: the trainer exported " + samples.size()
                    + " streamlearn metric samples at " + url + ", e.g. " + trained);
        } catch (IOException e) {
            out.println("demo: could not scrape the trainer's metrics at " + url + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Thread thread(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }

    /** The last N round-trip latencies, for a p99 that follows the present. */
    static final class LatencyWindow {
        private final double[] values;
        private long count;

        LatencyWindow(int size) {
            this.values = new double[size];
        }

        synchronized void add(double ms) {
            values[(int) (count++ % values.length)] = ms;
        }

        synchronized double p99() {
            int n = (int) Math.min(count, values.length);
            if (n == 0) {
                return Double.NaN;
            }
            double[] sorted = Arrays.copyOf(values, n);
            Arrays.sort(sorted);
            return sorted[Math.min(n - 1, (int) Math.ceil(0.99 * n) - 1)];
        }
    }
}
