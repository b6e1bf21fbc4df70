package io.streamlearn.app;

import io.streamlearn.core.example.Example;
import io.streamlearn.core.feedback.Feedback;
import io.streamlearn.core.feedback.FeedbackJsonCodec;
import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.kafka.Topics;
import io.streamlearn.core.prediction.Prediction;
import io.streamlearn.ingest.produce.ExampleProducer;
import io.streamlearn.ingest.produce.RateLimiter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The demo's traffic: draws the labeled stream at the demo's rate (paced by ingest's {@link RateLimiter}), sends
 * every k-th example as a prediction request once the loop is ready and the rest to training, and answers each
 * prediction with its late label on the feedback topic, as a labeling process would.
 */
final class DemoTraffic extends DemoLoop implements AutoCloseable {
    private final Topics topics;
    private final DemoStream stream;
    private final double rate;
    private final long every;
    private final BooleanSupplier ready;
    private final ExampleProducer examples;
    private final ExampleProducer requester;
    private final KafkaProducer<byte[], byte[]> feedback;
    private final Map<String, Integer> truth = new ConcurrentHashMap<>();
    private final Map<String, Long> sentAtNanos = new ConcurrentHashMap<>();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong examplesSent = new AtomicLong();
    private final AtomicLong labelsSent = new AtomicLong();
    private final LatencyWindow latency = new LatencyWindow(10_000);

    /**
     * @param rate        examples per second on the stream, requests included
     * @param requestRate of those, prediction requests per second
     * @param ready       whether requests would be answered and scored now; until then everything goes to training
     */
    DemoTraffic(String bootstrap, Topics topics, DemoStream stream, double rate, double requestRate,
            BooleanSupplier ready) {
        super("demo-stream");
        this.topics = topics;
        this.stream = stream;
        this.rate = rate;
        this.every = Math.max(1, Math.round(rate / Math.max(1e-9, requestRate)));
        this.ready = ready;
        this.examples = new ExampleProducer(bootstrap, topics.examples(), ExampleProducer.Format.BINARY, Map.of());
        this.requester = new ExampleProducer(bootstrap, topics.requests(), ExampleProducer.Format.JSON, Map.of());
        this.feedback = KafkaClients.producer(bootstrap, Map.of());
    }

    /** Stops drawing from the stream and flushes what was sent. */
    @Override
    void stop() throws InterruptedException {
        super.stop();
        requester.flush();
    }

    @Override
    protected void loop() {
        RateLimiter pace = RateLimiter.perSecond(rate);
        long n = 0;
        while (!stopping()) {
            pace.acquire();
            Example e = stream.next();
            if (n % every == every - 1 && ready.getAsBoolean()) {
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
        }
        examples.flush();
    }

    /** A request answered for the first time: takes its round trip and sends its late label. */
    void answered(Prediction p) {
        Long sentAt = sentAtNanos.remove(p.id());
        if (sentAt != null) {
            latency.add((System.nanoTime() - sentAt) / 1e6);
        }
        Integer label = truth.get(p.id());
        if (label != null) {
            byte[] json = FeedbackJsonCodec.encode(new Feedback(p.id(), label));
            feedback.send(new ProducerRecord<>(topics.feedback(), p.id().getBytes(StandardCharsets.UTF_8),
                    json));
            labelsSent.incrementAndGet();
        }
    }

    /** Prediction requests sent. */
    long requests() {
        return requests.get();
    }

    /** Examples sent to training. */
    long examplesSent() {
        return examplesSent.get();
    }

    /** Late labels sent to the feedback topic. */
    long labelsSent() {
        return labelsSent.get();
    }

    /** p99 of the recent request-to-prediction round trips, in milliseconds. */
    double p99Ms() {
        return latency.p99();
    }

    @Override
    public void close() {
        feedback.close();
        requester.close();
        examples.close();
    }
}
