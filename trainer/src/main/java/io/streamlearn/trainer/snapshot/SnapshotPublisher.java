package io.streamlearn.trainer.snapshot;

import io.streamlearn.core.event.EventCodec;
import io.streamlearn.core.event.PlatformEvent;
import io.streamlearn.core.example.ContentTypes;
import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.snapshot.SnapshotDraft;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.SnapshotStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a snapshot to the store and announces its manifest on the compacted models topic (key =
 * model); also puts the trainer's events (drift, refused snapshots) on the events topic.
 */
public final class SnapshotPublisher implements AutoCloseable {
    private final SnapshotStore store;
    private final KafkaProducer<byte[], byte[]> producer;
    private final String modelsTopic;
    private final String eventsTopic;
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotPublisher.class);

    public SnapshotPublisher(SnapshotStore store, String bootstrap, String modelsTopic, String eventsTopic,
            Map<String, String> overrides) {
        this.store = store;
        this.modelsTopic = modelsTopic;
        this.eventsTopic = eventsTopic;
        this.producer = KafkaClients.producer(bootstrap, overrides);
    }

    /**
     * Writes the snapshot to the store and waits until its manifest is on the models topic. This one
     * send waits (once per checkpoint, not per record): serving learns of versions only from the
     * topic, and an unawaited send is lost when the job stops right after publishing.
     */
    public SnapshotManifest publish(SnapshotDraft draft) {
        SnapshotManifest m = store.publish(draft);
        try {
            send(manifestRecord(m), "manifest of " + m.model() + " v" + m.version())
                    .get(60, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("snapshot " + m.model() + " v" + m.version() + " is in the store but its "
                    + "manifest could not be sent to " + modelsTopic + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted announcing " + m.model() + " v" + m.version(), e);
        }
        return m;
    }

    /** Puts {@code event} on the events topic, asynchronously; a failure is logged. */
    public void sendEvent(PlatformEvent event) {
        send(EventCodec.record(eventsTopic, event), event.type() + " event of " + event.model());
    }

    private Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, String what) {
        return producer.send(record, (md, e) -> {
            if (e != null) {
                LOG.warn("could not put the {} on {}: {}", what, record.topic(), e.toString());
            }
        });
    }

    private ProducerRecord<byte[], byte[]> manifestRecord(SnapshotManifest m) {
        RecordHeaders h = new RecordHeaders();
        h.add(ContentTypes.HEADER, ContentTypes.JSON.getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(modelsTopic, null, m.model().getBytes(StandardCharsets.UTF_8), m.toJsonBytes(), h);
    }

    public SnapshotStore store() {
        return store;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
