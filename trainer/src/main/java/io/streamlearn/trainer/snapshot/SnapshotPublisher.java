package io.streamlearn.trainer.snapshot;

import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.snapshot.SnapshotDraft;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.SnapshotStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Writes a snapshot to the store and announces its manifest on the compacted models topic (key =
 * model); also puts the trainer's lifecycle events (refused snapshots) on the events topic.
 */
public final class SnapshotPublisher implements AutoCloseable {
    private final SnapshotStore store;
    private final KafkaProducer<byte[], byte[]> producer;
    private final String modelsTopic;
    private final String eventsTopic;

    public SnapshotPublisher(SnapshotStore store, String bootstrap, String modelsTopic, String eventsTopic,
            Map<String, String> overrides) {
        this.store = store;
        this.modelsTopic = modelsTopic;
        this.eventsTopic = eventsTopic;
        this.producer = KafkaClients.producer(bootstrap, overrides);
    }

    /** Publishes and waits until the manifest is on the topic. */
    public SnapshotManifest publish(SnapshotDraft draft) {
        SnapshotManifest m = store.publish(draft);
        RecordHeaders h = new RecordHeaders();
        h.add(io.streamlearn.core.example.ContentTypes.HEADER,
                io.streamlearn.core.example.ContentTypes.JSON.getBytes(StandardCharsets.UTF_8));
        try {
            producer.send(new ProducerRecord<>(modelsTopic, null, m.model().getBytes(StandardCharsets.UTF_8),
                    m.toJsonBytes(), h)).get(60, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("snapshot " + m.model() + " v" + m.version() + " is in the store but its "
                    + "manifest could not be sent to " + modelsTopic + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted announcing " + m.model() + " v" + m.version(), e);
        }
        return m;
    }

    /** Sends a JSON event keyed by model name and waits for it; a failure is returned, not thrown. */
    public Exception sendEvent(String model, byte[] json) {
        try {
            RecordHeaders h = new RecordHeaders();
            h.add(io.streamlearn.core.example.ContentTypes.HEADER,
                    io.streamlearn.core.example.ContentTypes.JSON.getBytes(StandardCharsets.UTF_8));
            producer.send(new ProducerRecord<>(eventsTopic, null, model.getBytes(StandardCharsets.UTF_8), json, h))
                    .get(30, TimeUnit.SECONDS);
            return null;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return e;
        }
    }

    public SnapshotStore store() {
        return store;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
