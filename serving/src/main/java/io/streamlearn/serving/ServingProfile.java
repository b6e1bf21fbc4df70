package io.streamlearn.serving;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * How serving trades latency for throughput ({@code --profile}): the Kafka client properties of its producers and
 * consumers and the default micro-batch wait, in one place. The user's Kafka properties always win over a profile's.
 * docs/serving.md ("Latency and throughput") has the measured trade-off.
 */
public enum ServingProfile {
    /**
     * Each request is answered as soon as it arrives: predictions leave without {@code linger.ms} (Kafka 4 waits 5 ms
     * by default, KIP-1030), a fetch returns its first byte, and a micro-batch is what one poll returned: under load
     * the requests that arrived during one forward pass make the next batch, so batches still grow with the rate.
     */
    LATENCY(0L, Map.of(ProducerConfig.LINGER_MS_CONFIG, "0"),
            Map.of(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, "1", ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100")),
    /**
     * Fuller batches for fewer, larger forward passes and produce requests: the producer lingers 5 ms, a fetch waits
     * (at most 20 ms) for 64 KiB, and a micro-batch waits up to 2 ms to fill.
     */
    THROUGHPUT(2_000L, Map.of(ProducerConfig.LINGER_MS_CONFIG, "5"),
            Map.of(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, Integer.toString(64 * 1024),
                    ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "20"));

    /** The values {@code --profile} accepts, as docs/cli.md shows them. */
    public static final String CHOICES = "latency|throughput";

    private final long maxWaitMicros;
    private final Map<String, String> producer;
    private final Map<String, String> consumer;

    ServingProfile(long maxWaitMicros, Map<String, String> producer, Map<String, String> consumer) {
        this.maxWaitMicros = maxWaitMicros;
        this.producer = producer;
        this.consumer = consumer;
    }

    /** {@code latency} or {@code throughput}, any case; anything else is refused naming the choices. */
    public static ServingProfile parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("serving profile '" + s + "' is unknown: use " + CHOICES, e);
        }
    }

    /** The micro-batch wait when {@code --max-wait-micros} is not given. */
    public long maxWaitMicros() {
        return maxWaitMicros;
    }

    /** This profile's producer properties with {@code overrides} (the user's) applied over them. */
    public Map<String, String> producer(Map<String, String> overrides) {
        return under(producer, overrides);
    }

    /** This profile's consumer properties with {@code overrides} (the user's) applied over them. */
    public Map<String, String> consumer(Map<String, String> overrides) {
        return under(consumer, overrides);
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }

    private static Map<String, String> under(Map<String, String> profile, Map<String, String> overrides) {
        Map<String, String> out = new LinkedHashMap<>(profile);
        out.putAll(overrides);
        return out;
    }
}
