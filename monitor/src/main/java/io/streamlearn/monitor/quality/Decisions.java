package io.streamlearn.monitor.quality;

import io.streamlearn.core.event.ChallengerPromotedEvent;
import io.streamlearn.core.event.ChallengerRefusedEvent;
import io.streamlearn.core.event.EventCodec;
import io.streamlearn.core.event.ModelRolledBackEvent;
import io.streamlearn.core.event.PlatformEvent;
import io.streamlearn.core.snapshot.SnapshotStore;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out what {@link ChampionChallenger} decides on the monitor's thread: the promotion first (of the
 * challenger, or of the previous champion for a rollback) or the refusal record, so the event and the metric say only
 * what serving can follow. A promotion or refusal that cannot be written is logged and counted, never retried: the
 * operator promotes by hand ({@code streamlearn models promote}) or restarts serving in shadow mode once the cause is
 * fixed.
 */
final class Decisions {
    private static final Logger LOG = LoggerFactory.getLogger(Decisions.class);

    private final QualityConfig config;
    private final ServedQualityMetrics metrics;
    private final ChampionChallenger rules;
    private final List<PlatformEvent> events = new CopyOnWriteArrayList<>();
    private final Map<String, Long> champions = new ConcurrentHashMap<>();
    private KafkaProducer<byte[], byte[]> producer;
    private Promoter promoter;

    Decisions(QualityConfig config, ServedQualityMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
        this.rules = new ChampionChallenger(config.rules());
    }

    /** Called once the monitor's producer exists: events and promotions go through it. */
    void connect(KafkaProducer<byte[], byte[]> producer) {
        this.producer = producer;
        if (config.rules().writesPromotions()) {
            promoter = new Promoter(new SnapshotStore(config.store()), config.signingKey(), config.topics(), producer);
        }
    }

    void onMatch(LabelJoin.Match m, long nowMs) {
        rules.onMatch(m, nowMs).ifPresent(this::carryOut);
        String model = m.prediction().model();
        long champion = rules.champion(model);
        champions.put(model, champion);
        metrics.champion.labels(model).set(champion);
    }

    private void carryOut(PlatformEvent e) {
        long promote = e instanceof ChallengerPromotedEvent p ? p.version()
                : e instanceof ModelRolledBackEvent b ? b.version() : 0;
        long refuse = e instanceof ChallengerRefusedEvent r ? r.version() : 0;
        try {
            if (promote != 0) {
                promoter.promote(e.model(), promote, config.clock().millis());
            } else if (refuse != 0 && promoter != null) {
                // Serving takes the challenger out only on this record: it reads no events.
                promoter.refuse(e.model(), refuse, config.clock().millis());
            }
        } catch (RuntimeException ex) {
            metrics.promotionFailures.labels(e.model()).inc();
            LOG.error("decided to {} {} v{} ({}) but could not: {}", promote != 0 ? "promote" : "refuse", e.model(),
                    promote != 0 ? promote : refuse, e.type(), ex.getMessage(), ex);
            return;
        }
        String decision = e instanceof ChallengerPromotedEvent ? "promoted"
                : e instanceof ChallengerRefusedEvent ? "refused" : "rolled_back";
        metrics.decisions.labels(e.model(), decision).inc();
        events.add(e);
        LOG.warn("{}", new String(EventCodec.encode(e), StandardCharsets.UTF_8));
        producer.send(EventCodec.record(config.topics().events(), e), (md, ex) -> {
            if (ex != null) {
                LOG.warn("could not put a {} event of {} on {}: {}", e.type(), e.model(), config.topics().events(),
                        ex.toString());
            }
        });
    }

    /** Decisions carried out so far, oldest first. */
    List<PlatformEvent> events() {
        return List.copyOf(events);
    }

    /** The version answering {@code model}'s requests as the joined predictions show it; 0 before any. */
    long champion(String model) {
        return champions.getOrDefault(model, 0L);
    }
}
