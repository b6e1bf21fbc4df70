package io.streamlearn.app;

import io.prometheus.client.CollectorRegistry;
import io.streamlearn.core.broker.EmbeddedKafkaBroker;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.kafka.Topics;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.model.OptimizerSpec;
import io.streamlearn.core.prediction.Prediction;
import io.streamlearn.core.prediction.PredictionJsonCodec;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.SnapshotStore;
import io.streamlearn.ingest.produce.ExampleProducer;
import io.streamlearn.ingest.source.SyntheticClassification;
import io.streamlearn.serving.PredictionService;
import io.streamlearn.serving.ServingConfig;
import io.streamlearn.trainer.job.TrainerConfig;
import io.streamlearn.trainer.job.TrainerJob;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
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
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * One embedded run of the whole loop: broker, trainer job, serving, an example stream, a request
 * stream and a predictions reader that scores served predictions against the requests' true labels.
 * Components talk only through Kafka and the snapshot store, as they do on a cluster.
 */
public final class DemoRun {
    /** What to run. */
    public record Settings(Duration duration, double rate, double requestRate, int features, int classes, double classSep,
            long seed,
            String device, long checkpointIntervalMs, Path store) {}

    /**
     * What happened.
     *
     * @param trained      examples trained on (newest manifest)
     * @param version      version being served at the end
     * @param requests     requests sent
     * @param predictions  distinct requests answered
     * @param correct      answers equal to the request's true label
     * @param unpublished  answers naming a version the store does not have
     */
    public record Summary(long trained, long version, long requests, long predictions, long correct, long unpublished,
            String model) {
        public double accuracy() {
            return predictions == 0 ? Double.NaN : (double) correct / predictions;
        }

        public boolean ok() {
            return predictions > 0 && predictions == requests && unpublished == 0;
        }

        public String line() {
            return String.format("demo: trained %d examples, serving model %s v%d, served accuracy %.3f over %d "
                    + "predictions (%d requests)", trained, model, version, accuracy(), predictions, requests);
        }
    }

    private final Settings s;
    private final PrintStream out;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final Map<String, Integer> truth = new ConcurrentHashMap<>();
    private final Set<String> answered = ConcurrentHashMap.newKeySet();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong correct = new AtomicLong();
    private final AtomicLong unpublished = new AtomicLong();

    public DemoRun(Settings settings, PrintStream out) {
        this.s = settings;
        this.out = out;
    }

    /** The model the demo trains: an MLP over the synthetic stream's features. */
    ModelSpec spec() {
        return ModelSpec.mlp("synthetic", s.features(), s.classes(), 64).withOptimizer(OptimizerSpec.adam(0.01f));
    }

    public Summary run() throws Exception {
        Path store = s.store() != null ? s.store() : Files.createTempDirectory("streamlearn-demo-store-");
        Topics topics = Topics.defaults();
        ModelSpec spec = spec();
        SnapshotStore snapshots = new SnapshotStore(store);
        long started = System.nanoTime();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().start()) {
            String bootstrap = broker.bootstrapServers();
            try (Admin admin = KafkaClients.admin(bootstrap, Map.of())) {
                topics.createAll(admin, 2, (short) 1);
            }
            out.println("demo: Kafka on " + bootstrap + ", snapshots in " + store + ", running for " + s.duration());
            TrainerConfig trainerConfig = TrainerConfig.builder().setBootstrapServers(bootstrap).setSpec(spec)
                    .setStoreRoot(store.toString()).optCheckpointIntervalMs(s.checkpointIntervalMs())
                    .optMaxWaitMs(100).optDevice(s.device()).build();
            JobClient job = TrainerJob.runLocal(trainerConfig, new Configuration());
            SyntheticClassification concept = new SyntheticClassification(s.features(), s.classes(), s.classSep(), s.seed(),
                    Long.MAX_VALUE, "ex-");
            ServingConfig servingConfig = ServingConfig.builder().setBootstrapServers(bootstrap)
                    .setModel(spec.name()).setStoreRoot(store).build();
            try (PredictionService serving = new PredictionService(servingConfig, new CollectorRegistry());
                    ExampleProducer examples = new ExampleProducer(bootstrap, topics.examples(),
                            ExampleProducer.Format.BINARY, Map.of());
                    ExampleProducer requester = new ExampleProducer(bootstrap, topics.requests(),
                            ExampleProducer.Format.JSON, Map.of())) {
                serving.start();
                Thread ingest = thread("demo-ingest", () -> examples.sendAll(new Paced(concept, stopping), s.rate()));
                Thread reader = thread("demo-predictions", () -> readPredictions(bootstrap, topics, snapshots,
                        spec.name()));
                Thread ask = thread("demo-requests", () -> sendRequests(requester, concept, serving));
                long deadline = started + s.duration().toNanos();
                while (System.nanoTime() < deadline) {
                    LockSupport.parkNanos(Math.min(TimeUnit.SECONDS.toNanos(2), Math.max(1, deadline - System.nanoTime())));
                    progress(started, snapshots, spec.name(), serving);
                }
                stopping.set(true);
                ask.join();
                ingest.join();
                requester.flush();
                long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (answered.size() < requests.get() && System.nanoTime() < drainUntil) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                }
                readerStop.set(true);
                reader.join();
                long version = serving.currentVersion();
                long trained = snapshots.latest(spec.name()).map(SnapshotManifest::examplesSeen).orElse(0L);
                return new Summary(trained, version, requests.get(), answered.size(), correct.get(), unpublished.get(),
                        spec.name());
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

    private final AtomicBoolean readerStop = new AtomicBoolean();

    private void sendRequests(ExampleProducer requester, SyntheticClassification concept, PredictionService serving) {
        while (!serving.isReady() && !stopping.get()) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        SyntheticClassification source = concept.withSampleSeed(s.seed() + 1, Long.MAX_VALUE, "req-");
        long start = System.nanoTime();
        long n = 0;
        while (!stopping.get()) {
            Example e = source.next();
            truth.put(e.id(), e.label());
            requester.send(Example.request(e.id(), e.features()));
            requests.incrementAndGet();
            n++;
            long wait = start + (long) (n * 1e9 / s.requestRate()) - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
        }
    }

    private void readPredictions(String bootstrap, Topics topics, SnapshotStore snapshots, String model) {
        try (KafkaConsumer<byte[], byte[]> c = KafkaClients.consumer(bootstrap, "streamlearn-demo", Map.of())) {
            c.subscribe(List.of(topics.predictions()));
            Set<Long> published = ConcurrentHashMap.newKeySet();
            while (!readerStop.get()) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                    Prediction p = PredictionJsonCodec.decode(r.value());
                    if (!answered.add(p.id())) {
                        continue;
                    }
                    Integer label = truth.get(p.id());
                    if (label != null && label == p.label()) {
                        correct.incrementAndGet();
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

    private void progress(long started, SnapshotStore snapshots, String model, PredictionService serving) {
        long secs = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        var latest = snapshots.latest(model);
        long answeredCount = answered.size();
        out.printf("[%3ds] trained %7d examples | prequential %.3f holdout %.3f | published v%d, serving v%d | "
                        + "%d predictions, accuracy %.3f%n", secs,
                latest.map(SnapshotManifest::examplesSeen).orElse(0L),
                latest.map(m -> m.metric("prequential_accuracy")).orElse(Double.NaN),
                latest.map(m -> m.metric("holdout_accuracy")).orElse(Double.NaN),
                latest.map(SnapshotManifest::version).orElse(0L), serving.currentVersion(), answeredCount,
                answeredCount == 0 ? Double.NaN : (double) correct.get() / answeredCount);
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

    /** Stops an endless source when the demo stops. */
    private static final class Paced implements io.streamlearn.ingest.source.ExampleSource {
        private final SyntheticClassification inner;
        private final AtomicBoolean stop;

        Paced(SyntheticClassification inner, AtomicBoolean stop) {
            this.inner = inner;
            this.stop = stop;
        }

        @Override
        public boolean hasNext() {
            return !stop.get() && inner.hasNext();
        }

        @Override
        public Example next() {
            return inner.next();
        }

        @Override
        public String position() {
            return inner.position();
        }
    }
}
