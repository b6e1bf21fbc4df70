package io.streamlearn.ingest.produce;

import io.streamlearn.core.example.DeadLetterHeaders;
import io.streamlearn.core.example.ExampleSchema;
import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.ingest.source.EpochReader;
import io.streamlearn.ingest.source.SourceDefinition;
import io.streamlearn.ingest.source.SourceRecord;
import io.streamlearn.ingest.validate.RecordCheck;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * One ingest run: reads a source (for several epochs, optionally shuffled, rate-limited, up to a limit),
 * validates every record against the schema, sends valid examples to the topic (key = id, header
 * {@code content-type}) and every rejected record to the dead-letter topic with its original bytes and the
 * {@link DeadLetterHeaders}. It fails loudly, within {@link Builder#optTimeout the timeout}, when the broker
 * cannot be reached or stops acknowledging.
 *
 * <pre>{@code
 * Ingestor ingest = Ingestor.builder()
 *         .setBootstrapServers("127.0.0.1:9092")
 *         .setSource(Sources.resolve("idx:fashion-mnist/train", SourceOptions.defaults()))
 *         .setSchema(new ExampleSchema(784, FeatureType.UINT8, 10, ExampleSchema.DEFAULT_MAX_RECORD_BYTES))
 *         .setTopic("streamlearn.examples").setDeadLetterTopic("streamlearn.examples.dlq")
 *         .build();
 * IngestCounts done = ingest.run(); // done.read() == done.sent() + done.rejected()
 * }</pre>
 *
 * <p>The run's jobs live next door: {@link BrokerPreflight} checks the broker and creates the topics,
 * {@link EpochReader} orders the records, {@link VerdictSender} sends each to its topic (dead letters built by
 * {@link io.streamlearn.core.example.DeadLetters}), {@link IngestTally} counts and {@link RateLimiter} paces;
 * this class runs them and decides when the run has failed.
 */
public final class Ingestor {
    /** Largest dead-letter value: below Kafka's default 1 MiB max.request.size, with room for headers. */
    public static final int DEFAULT_DEAD_LETTER_MAX_BYTES = 900 * 1024;

    private final String bootstrapServers;
    private final ExampleSchema schema;
    private final String topic;
    private final String deadLetterTopic;
    private final ExampleProducer.Format format;
    private final Map<String, String> kafkaConfig;
    private final double ratePerSecond;
    private final long limit;
    private final Duration timeout;
    private final boolean createTopics;
    private final int deadLetterMaxBytes;
    private final LongSupplier nanoClock;
    private final LongConsumer sleeper;
    private final EpochReader epochs;
    private final IngestTally tally;

    private final AtomicBoolean stopRequested = new AtomicBoolean();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicLong startNanos = new AtomicLong(-1);
    private final AtomicLong endNanos = new AtomicLong(-1);

    private Ingestor(Builder b) {
        this.bootstrapServers = b.bootstrapServers;
        this.schema = b.schema;
        this.topic = b.topic;
        this.deadLetterTopic = b.deadLetterTopic;
        this.format = b.format;
        this.kafkaConfig = Map.copyOf(b.kafkaConfig);
        this.ratePerSecond = b.ratePerSecond;
        this.limit = b.limit;
        this.timeout = b.timeout;
        this.createTopics = b.createTopics;
        this.deadLetterMaxBytes = b.deadLetterMaxBytes;
        this.nanoClock = b.nanoClock;
        this.sleeper = b.sleeper;
        this.epochs = new EpochReader(b.source, b.epochs, b.limit, b.shuffleSeed, stopRequested::get);
        this.tally = new IngestTally(b.observer);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The topic valid examples go to. */
    public String topic() {
        return topic;
    }

    /** The dead-letter topic. */
    public String deadLetterTopic() {
        return deadLetterTopic;
    }

    /** The producer settings this run uses: core's defaults, the ingest timeouts, then the user's keys. */
    public Map<String, String> producerConfig() {
        Map<String, String> out = new LinkedHashMap<>();
        KafkaClients.producerConfig(bootstrapServers, effectiveOverrides())
                .forEach((k, v) -> out.put(k.toString(), v.toString()));
        return out;
    }

    private Map<String, String> effectiveOverrides() {
        Map<String, String> o = new LinkedHashMap<>();
        long ms = timeout.toMillis();
        // Bounded failure: a send blocks at most max.block.ms, a batch is failed after delivery.timeout.ms,
        // and delivery.timeout.ms must be >= linger.ms + request.timeout.ms.
        o.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(ms));
        o.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(ms));
        o.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(Math.max(1, ms / 2)));
        o.putAll(kafkaConfig);
        o.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        o.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return o;
    }

    /** Asks a running {@link #run()} to stop reading; what was read is still flushed and counted. */
    public void stop() {
        stopRequested.set(true);
    }

    /** A consistent-enough snapshot of the counts, callable from any thread while the run goes. */
    public IngestCounts counts() {
        long s = startNanos.get();
        long e = endNanos.get();
        long elapsed = s < 0 ? 0 : Math.max(0, (e < 0 ? nanoClock.getAsLong() : e) - s);
        return tally.snapshot(elapsed, epochs.expected());
    }

    /**
     * Runs to the end of the source (or the limit, or {@link #stop()}), flushes and returns the counts.
     *
     * @throws BrokerUnavailableException when the broker cannot be reached or stops acknowledging
     * @throws IngestException            when the broker refuses records for another reason
     * @throws io.streamlearn.ingest.source.SourceException when the source cannot be read
     */
    public IngestCounts run() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("an Ingestor runs once; build another for another run");
        }
        startNanos.set(nanoClock.getAsLong());
        new BrokerPreflight(bootstrapServers, kafkaConfig, timeout)
                .check(createTopics ? List.of(topic, deadLetterTopic) : List.of());
        // The clock restarts once the broker answered: rates measure streaming, as ProducerPerformance does.
        RecordCheck check = new RecordCheck(schema, format::encode, format.contentType());
        VerdictSender sender = new VerdictSender(topic, deadLetterTopic, format.contentType(), deadLetterMaxBytes, tally,
                this::failure);
        RateLimiter pace = ratePerSecond > 0 ? new RateLimiter(ratePerSecond, nanoClock, sleeper) : null;
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KafkaClients.producerConfig(bootstrapServers,
                effectiveOverrides()));
        startNanos.set(nanoClock.getAsLong());
        boolean ok = false;
        try {
            try {
                producer.partitionsFor(topic);
            } catch (KafkaException e) {
                throw failure(e, "fetching metadata of " + topic);
            }
            long total = 0;
            try (ReadAhead records = new ReadAhead(epochs::readInto, 16)) {
                while (total < limit && !stopRequested.get() && !Thread.currentThread().isInterrupted()
                        && records.hasNext()) {
                    throwIfFailed();
                    if (pace != null) {
                        pace.acquire();
                    }
                    SourceRecord r = records.next();
                    total++;
                    tally.read();
                    sender.send(producer, check.check(r));
                }
            }
            try {
                producer.flush();
            } catch (InterruptException e) {
                throw new IngestException("interrupted while flushing to " + topic, e);
            }
            throwIfFailed();
            IngestCounts c = counts();
            if (c.read() != c.sent() + c.rejected()) {
                throw new IllegalStateException("ingest lost count: read " + c.read() + " != sent " + c.sent()
                        + " + rejected " + c.rejected() + " after a flush without failures; this is a bug");
            }
            ok = true;
            return c;
        } finally {
            endNanos.set(nanoClock.getAsLong());
            // After a failure close at once: waiting would only retry what is already known to fail.
            producer.close(ok ? Duration.ofSeconds(10) : Duration.ZERO);
        }
    }

    private void throwIfFailed() {
        Exception ex = tally.firstFailure();
        if (ex != null) {
            throw failure(ex, "sending to " + topic);
        }
    }

    private IngestException failure(Exception ex, String doing) {
        IngestCounts c = counts();
        String counts = c.read() + " read, " + c.sent() + " sent, " + c.rejected() + " rejected";
        if (ex instanceof TimeoutException || ex instanceof NetworkException
                || ex.getCause() instanceof TimeoutException) {
            return new BrokerUnavailableException("Kafka broker " + bootstrapServers + " did not answer within "
                    + timeout.toMillis() + " ms while " + doing + " (" + counts + "): " + ex.getMessage()
                    + ". Check that the broker is running and reachable (-b/--bootstrap-server), or allow more "
                    + "time with --timeout or -X " + ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, ex);
        }
        return new IngestException("Kafka refused records while " + doing + " (" + counts + "): " + ex.getMessage(),
                ex);
    }

    /** Settings of an {@link Ingestor}: {@code setX} is required, {@code optX} has the default shown. */
    public static final class Builder {
        private String bootstrapServers;
        private SourceDefinition source;
        private ExampleSchema schema;
        private String topic;
        private String deadLetterTopic;
        private ExampleProducer.Format format = ExampleProducer.Format.BINARY;
        private Map<String, String> kafkaConfig = Map.of();
        private double ratePerSecond = 0;
        private long limit = Long.MAX_VALUE;
        private int epochs = 1;
        private Long shuffleSeed = null;
        private Duration timeout = Duration.ofSeconds(30);
        private boolean createTopics = true;
        private int deadLetterMaxBytes = DEFAULT_DEAD_LETTER_MAX_BYTES;
        private IngestObserver observer = IngestObserver.NONE;
        private LongSupplier nanoClock = System::nanoTime;
        private LongConsumer sleeper = LockSupport::parkNanos;

        private Builder() {}

        public Builder setBootstrapServers(String bootstrapServers) {
            this.bootstrapServers = bootstrapServers;
            return this;
        }

        public Builder setSource(SourceDefinition source) {
            this.source = source;
            return this;
        }

        /** What a valid example looks like; rejected records go to the dead-letter topic. */
        public Builder setSchema(ExampleSchema schema) {
            this.schema = schema;
            return this;
        }

        public Builder setTopic(String topic) {
            this.topic = topic;
            return this;
        }

        public Builder setDeadLetterTopic(String topic) {
            this.deadLetterTopic = topic;
            return this;
        }

        /** Wire format of valid examples (default binary: uint8 pixels stay one byte each). */
        public Builder optFormat(ExampleProducer.Format format) {
            this.format = format;
            return this;
        }

        /** Kafka producer and admin properties (SASL, SSL, compression.type, linger.ms...); they win. */
        public Builder optKafkaConfig(Map<String, String> config) {
            this.kafkaConfig = Map.copyOf(config);
            return this;
        }

        /** Records per second at most; 0 (default) is as fast as the broker takes them. */
        public Builder optRatePerSecond(double rate) {
            this.ratePerSecond = rate;
            return this;
        }

        /** Records to read at most over all epochs (default no limit). */
        public Builder optLimit(long limit) {
            this.limit = limit;
            return this;
        }

        /** Passes over the source (default 1). */
        public Builder optEpochs(int epochs) {
            this.epochs = epochs;
            return this;
        }

        /** Shuffle each epoch with seed {@code seed + epoch} (buffers an epoch in memory); default in order. */
        public Builder optShuffleSeed(Long seed) {
            this.shuffleSeed = seed;
            return this;
        }

        /** Bound on the broker check, on a blocked send and on an unacknowledged batch (default 30 s). */
        public Builder optTimeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /** Create the topic and dead-letter topic when missing, with the broker's defaults (default true). */
        public Builder optCreateTopics(boolean create) {
            this.createTopics = create;
            return this;
        }

        /** Dead letters larger than this keep only their first bytes (default 900 KiB). */
        public Builder optDeadLetterMaxBytes(int bytes) {
            this.deadLetterMaxBytes = bytes;
            return this;
        }

        public Builder optObserver(IngestObserver observer) {
            this.observer = observer;
            return this;
        }

        /** Monotonic nanosecond clock and sleeper, for tests (default System.nanoTime and parkNanos). */
        public Builder optClock(LongSupplier nanoClock, LongConsumer sleeper) {
            this.nanoClock = nanoClock;
            this.sleeper = sleeper;
            return this;
        }

        public Ingestor build() {
            List<String> missing = new ArrayList<>();
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                missing.add("bootstrap servers (setBootstrapServers)");
            }
            if (source == null) {
                missing.add("source (setSource)");
            }
            if (schema == null) {
                missing.add("schema (setSchema)");
            }
            if (topic == null || topic.isBlank()) {
                missing.add("topic (setTopic)");
            }
            if (deadLetterTopic == null || deadLetterTopic.isBlank()) {
                missing.add("dead-letter topic (setDeadLetterTopic)");
            }
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException("ingest is missing " + String.join(", ", missing));
            }
            if (topic.equals(deadLetterTopic)) {
                throw new IllegalArgumentException("the dead-letter topic must differ from the topic " + topic);
            }
            if (!(ratePerSecond >= 0) || Double.isInfinite(ratePerSecond)) {
                throw new IllegalArgumentException("--rate " + ratePerSecond + " must be >= 0 (0 = unlimited)");
            }
            if (limit < 0) {
                throw new IllegalArgumentException("--limit " + limit + " must be >= 0");
            }
            if (epochs < 1) {
                throw new IllegalArgumentException("--epochs " + epochs + " must be >= 1");
            }
            if (timeout == null || timeout.toMillis() < 1) {
                throw new IllegalArgumentException("--timeout " + timeout + " must be at least 1 ms");
            }
            if (deadLetterMaxBytes < 1) {
                throw new IllegalArgumentException("dead-letter max bytes " + deadLetterMaxBytes + " must be >= 1");
            }
            return new Ingestor(this);
        }
    }
}
