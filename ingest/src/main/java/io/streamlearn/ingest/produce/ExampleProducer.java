package io.streamlearn.ingest.produce;

import io.streamlearn.core.example.ContentTypes;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.ExampleBinaryCodec;
import io.streamlearn.core.example.ExampleJsonCodec;
import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.ingest.source.ExampleSource;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Sends examples from a source to a topic: key = example id, value = JSON or the binary layout,
 * header {@code content-type}; optional rate limit. Any send failure fails the run with its cause. This is
 * the small producer the demo uses; {@link Ingestor} adds validation, dead letters, counts and progress.
 */
public final class ExampleProducer implements AutoCloseable {
    /** Wire format of produced values. */
    public enum Format {
        /** The JSON object any producer can write. */
        JSON,
        /** The compact binary layout (pixels stay uint8). */
        BINARY;

        /** The {@code content-type} header value of this format. */
        public String contentType() {
            return this == BINARY ? ContentTypes.EXAMPLE_BINARY : ContentTypes.JSON;
        }

        /** Encodes {@code e} in this format. */
        public byte[] encode(Example e) {
            return this == BINARY ? ExampleBinaryCodec.encode(e) : ExampleJsonCodec.encode(e);
        }
    }

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final Format format;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    public ExampleProducer(String bootstrap, String topic, Format format, Map<String, String> kafkaOverrides) {
        this.producer = KafkaClients.producer(bootstrap, kafkaOverrides);
        this.topic = topic;
        this.format = format;
    }

    /**
     * Sends every example of {@code source} (at most {@code ratePerSecond} a second when positive),
     * then flushes. Returns the number sent.
     *
     * @throws IngestException when the broker refused or could not be reached
     */
    public long sendAll(ExampleSource source, double ratePerSecond) {
        RateLimiter pace = ratePerSecond > 0 ? RateLimiter.perSecond(ratePerSecond) : null;
        while (source.hasNext()) {
            if (pace != null) {
                pace.acquire();
            }
            send(source.next());
            if (Thread.currentThread().isInterrupted()) {
                break;
            }
        }
        flush();
        return sent.get();
    }

    /** Sends one example asynchronously; a failure surfaces on the next call or on {@link #flush()}. */
    public void send(Example e) {
        checkFailure();
        byte[] value = format.encode(e);
        RecordHeaders headers = new RecordHeaders();
        headers.add(ContentTypes.HEADER, format.contentType().getBytes(StandardCharsets.UTF_8));
        producer.send(new ProducerRecord<>(topic, null, e.id().getBytes(StandardCharsets.UTF_8), value, headers),
                (md, ex) -> {
                    if (ex != null) {
                        failure.compareAndSet(null, ex);
                    } else {
                        sent.incrementAndGet();
                    }
                });
    }

    public void flush() {
        producer.flush();
        checkFailure();
    }

    /** Examples acknowledged by the broker so far. */
    public long sent() {
        return sent.get();
    }

    private void checkFailure() {
        Exception ex = failure.get();
        if (ex != null) {
            throw new IngestException("sending to " + topic + " failed after " + sent.get() + " examples: "
                    + ex.getMessage(), ex);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
