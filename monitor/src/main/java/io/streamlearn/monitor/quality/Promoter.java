package io.streamlearn.monitor.quality;

import io.streamlearn.core.kafka.Topics;
import io.streamlearn.core.snapshot.ModelPromotion;
import io.streamlearn.core.snapshot.ModelRefusal;
import io.streamlearn.core.snapshot.SnapshotStore;
import java.security.PrivateKey;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes the monitor's promotions to the models topic: the same record as {@code streamlearn models promote}
 * ({@link ModelPromotion}), checked against the store and signed the same way, and its refusals of challengers
 * ({@link ModelRefusal}), with the monitor's own producer (its principal needs write on the models topic, nothing
 * else there).
 */
final class Promoter {
    private final SnapshotStore store;
    private final PrivateKey signingKey;
    private final Topics topics;
    private final KafkaProducer<byte[], byte[]> producer;

    Promoter(SnapshotStore store, PrivateKey signingKey, Topics topics, KafkaProducer<byte[], byte[]> producer) {
        this.store = store;
        this.signingKey = signingKey;
        this.topics = topics;
        this.producer = producer;
    }

    /**
     * Promotes {@code version} of {@code model} and waits for the broker's acknowledgement, so a decision is only
     * reported once serving can follow it.
     *
     * @throws IllegalStateException when the store does not hold the version intact or the write fails; the message
     *                               says which and why
     */
    void promote(String model, long version, long nowMs) {
        write("promotion", model, version,
                ModelPromotion.record(topics, ModelPromotion.prepare(store, model, version, signingKey), nowMs));
    }

    /**
     * Refuses challenger {@code version} of {@code model} on the models topic ({@link ModelRefusal}), so serving takes
     * it out of production, and waits for the acknowledgement as {@link #promote} does.
     *
     * @throws IllegalStateException when the store has no manifest of the version or the write fails
     */
    void refuse(String model, long version, long nowMs) {
        write("refusal", model, version,
                ModelRefusal.record(topics, ModelRefusal.prepare(store, model, version, signingKey), nowMs));
    }

    private void write(String what, String model, long version, ProducerRecord<byte[], byte[]> record) {
        try {
            producer.send(record).get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not write the " + what + " of " + model + " v" + version + " to "
                    + topics.models() + ": " + e.getCause().getMessage()
                    + " (the monitor's principal needs write on the models topic)", e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the " + what + " of " + model + " v" + version + " to " + topics.models()
                    + " was not acknowledged within 60 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted writing the " + what + " of " + model + " v" + version, e);
        }
    }
}
