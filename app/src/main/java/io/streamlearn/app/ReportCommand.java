package io.streamlearn.app;

import io.streamlearn.core.event.DriftEvent;
import io.streamlearn.core.event.EventCodec;
import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.snapshot.SnapshotStore;
import io.streamlearn.monitor.report.ReportWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code streamlearn report}: a model's learning curves (PNG) and an HTML page with its per-class quality. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Render a model's learning curves (prequential and holdout accuracy and loss over examples, "
                + "versions and drift events marked) to <out>/<model>-learning-curves.png and a self-contained "
                + "<out>/<model>-report.html with the per-class precision/recall/F1 of the newest version.")
public final class ReportCommand implements Callable<Integer> {
    private static final Duration EVENTS_TIMEOUT = Duration.ofSeconds(30);

    @Option(names = "--store", defaultValue = "streamlearn-data/snapshots",
            description = "Snapshot store directory.")
    Path store;

    @Option(names = "--model", required = true, description = "Model name.")
    String model;

    @Option(names = "--out", defaultValue = "streamlearn-report",
            description = "Directory to write the PNG and the HTML page to.")
    Path out;

    @Option(names = "--events", description = "Also read the model's drift events from the events topic (needs the "
            + "broker: --bootstrap-server) and mark them on the curves.")
    boolean events;

    @Mixin
    KafkaOptions kafka;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        List<DriftEvent> drifts = events ? readDriftEvents() : List.of();
        Path html = ReportWriter.write(new SnapshotStore(store.toAbsolutePath()), model, drifts, out.toAbsolutePath());
        spec.commandLine().getOut().println("report of " + model + ": " + html + " ("
                + html.resolveSibling(model + "-learning-curves.png").getFileName() + ", " + drifts.size()
                + " drift events)");
        return 0;
    }

    /** Drift events of the model on the events topic, from its beginning to its end as it is now. */
    private List<DriftEvent> readDriftEvents() {
        String topic = kafka.topics().events();
        List<DriftEvent> found = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = KafkaClients.consumer(kafka.bootstrapServers, null,
                kafka.overrides())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, EVENTS_TIMEOUT);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalArgumentException("topic " + topic + " does not exist on " + kafka.bootstrapServers
                        + "; check --bootstrap-server and --topic-prefix, or leave out --events");
            }
            List<TopicPartition> parts = infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts, EVENTS_TIMEOUT);
            long deadline = System.nanoTime() + EVENTS_TIMEOUT.toNanos();
            while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("timed out after " + EVENTS_TIMEOUT.toSeconds() + " s reading "
                            + topic + " on " + kafka.bootstrapServers + "; is the broker reachable?");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.value() != null && EventCodec.decode(r.value()) instanceof DriftEvent e) {
                        if (e.model().equals(model)) {
                            found.add(e);
                        }
                    }
                }
            }
        }
        return found;
    }
}
