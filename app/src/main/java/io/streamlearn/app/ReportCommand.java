package io.streamlearn.app;

import io.streamlearn.core.config.CommonSettings;
import io.streamlearn.core.config.KafkaSettings;
import io.streamlearn.core.config.Setting;
import io.streamlearn.core.config.SettingValues;
import io.streamlearn.core.config.SettingsDef;
import io.streamlearn.core.config.Type;
import io.streamlearn.core.event.ChallengerPromotedEvent;
import io.streamlearn.core.event.ChallengerRefusedEvent;
import io.streamlearn.core.event.DriftEvent;
import io.streamlearn.core.event.EventCodec;
import io.streamlearn.core.event.ModelRolledBackEvent;
import io.streamlearn.core.event.PlatformEvent;
import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.snapshot.SnapshotStore;
import io.streamlearn.monitor.report.ReportWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;

/** {@code streamlearn report}: a model's learning curves (PNG) and an HTML page with its per-class quality. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Render a model's learning curves (prequential and holdout accuracy and loss over examples, "
                + "versions and drift events marked) to <out>/<model>-learning-curves.png and a self-contained "
                + "<out>/<model>-report.html with the per-class precision/recall/F1 of the newest version.")
public final class ReportCommand extends SettingsCommand {
    private static final Duration EVENTS_TIMEOUT = Duration.ofSeconds(30);

    static final Setting<Path> OUT = Setting.of("out", Type.PATH).withLabel("DIR")
            .withDefault(Path.of("streamlearn-report")).withDoc("Directory to write the PNG and the HTML page to.");
    static final Setting<Boolean> EVENTS = Setting.flag("events", "Also read the model's drift "
            + "events from the events topic (needs the broker: --bootstrap-server) and mark them on the curves.");
    static final SettingsDef SETTINGS = SettingsDef.of("report", CommonSettings.STORE, CommonSettings.MODEL, OUT,
            EVENTS, KafkaSettings.DEF);

    public ReportCommand() {
        super(SETTINGS);
    }

    @Override
    int run(SettingValues v) {
        String model = v.get(CommonSettings.MODEL);
        List<PlatformEvent> events = v.flag(EVENTS) ? readEvents(v, model) : List.of();
        List<DriftEvent> drifts = events.stream().filter(DriftEvent.class::isInstance).map(DriftEvent.class::cast)
                .toList();
        // The monitor's decisions on which version served: challenger promotions and refusals, rollbacks.
        List<PlatformEvent> decisions = events.stream().filter(e -> e instanceof ChallengerPromotedEvent
                || e instanceof ChallengerRefusedEvent || e instanceof ModelRolledBackEvent).toList();
        Path html = ReportWriter.write(new SnapshotStore(v.get(CommonSettings.STORE).toAbsolutePath()), model, drifts,
                decisions, v.get(OUT).toAbsolutePath());
        spec.commandLine().getOut().println("report of " + model + ": " + html + " ("
                + html.resolveSibling(model + "-learning-curves.png").getFileName() + ", " + drifts.size()
                + " drift events, " + decisions.size() + " promotions, refusals and rollbacks)");
        return 0;
    }

    /** Events of the model on the events topic, from its beginning to its end as it is now. */
    private static List<PlatformEvent> readEvents(SettingValues v, String model) {
        String bootstrapServers = v.get(KafkaSettings.BOOTSTRAP_SERVER);
        String topic = KafkaSettings.topics(v).events();
        List<PlatformEvent> found = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = KafkaClients.consumer(bootstrapServers, null,
                KafkaSettings.overrides(v))) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, EVENTS_TIMEOUT);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalArgumentException("topic " + topic + " does not exist on " + bootstrapServers
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
                            + topic + " on " + bootstrapServers + "; is the broker reachable?");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    PlatformEvent e = r.value() == null ? null : EventCodec.decode(r.value());
                    if (e != null && e.model().equals(model)) {
                        found.add(e);
                    }
                }
            }
        }
        return found;
    }
}
