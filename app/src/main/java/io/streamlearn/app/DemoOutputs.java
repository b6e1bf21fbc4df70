package io.streamlearn.app;

import io.streamlearn.core.event.DriftEvent;
import io.streamlearn.core.event.EventCodec;
import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.kafka.Topics;
import io.streamlearn.core.prediction.Prediction;
import io.streamlearn.core.prediction.PredictionJsonCodec;
import io.streamlearn.core.snapshot.SnapshotStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads what the loop puts out: each prediction once (handed to the {@link DemoTraffic} for its late label, its
 * version checked against the snapshot store) and the drift events; counts the dead letters on request.
 */
final class DemoOutputs extends DemoLoop {
    private final String bootstrap;
    private final Topics topics;
    private final SnapshotStore snapshots;
    private final String model;
    private final DemoTraffic traffic;
    private final Set<String> answered = ConcurrentHashMap.newKeySet();
    private final AtomicLong unpublished = new AtomicLong();
    private final AtomicLong driftEvents = new AtomicLong();
    private final List<DriftEvent> trainerDrifts = new CopyOnWriteArrayList<>();

    DemoOutputs(String bootstrap, Topics topics, SnapshotStore snapshots, String model, DemoTraffic traffic) {
        super("demo-predictions");
        this.bootstrap = bootstrap;
        this.topics = topics;
        this.snapshots = snapshots;
        this.model = model;
        this.traffic = traffic;
    }

    @Override
    protected void loop() {
        try (KafkaConsumer<byte[], byte[]> c = KafkaClients.consumer(bootstrap, "streamlearn-demo", Map.of())) {
            c.subscribe(List.of(topics.predictions(), topics.events()));
            Set<Long> published = ConcurrentHashMap.newKeySet();
            while (!stopping()) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                    if (r.topic().equals(topics.events())) {
                        countEvent(r.value());
                        continue;
                    }
                    Prediction p = PredictionJsonCodec.decode(r.value());
                    if (!answered.add(p.id())) {
                        continue;
                    }
                    traffic.answered(p);
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

    /** Distinct requests answered. */
    long answered() {
        return answered.size();
    }

    /** Answers naming a version the store does not have. */
    long unpublished() {
        return unpublished.get();
    }

    /** Drift events on the events topic, from any component. */
    long driftEvents() {
        return driftEvents.get();
    }

    /** The trainer's drift events (on prequential error), oldest first. */
    List<DriftEvent> trainerDrifts() {
        return List.copyOf(trainerDrifts);
    }

    /** Records on the two dead-letter topics, or -1 when the broker does not say within 5 s. */
    static long deadLetters(Admin admin, Topics topics) {
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
}
