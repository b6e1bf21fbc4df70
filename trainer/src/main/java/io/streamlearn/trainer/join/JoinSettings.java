package io.streamlearn.trainer.join;

import io.streamlearn.core.config.KafkaSettings;
import io.streamlearn.core.config.Setting;
import io.streamlearn.core.config.SettingsDef;
import io.streamlearn.core.config.Type;
import io.streamlearn.core.config.Validator;

/**
 * The label join's settings, defined once for {@code streamlearn join} ({@link #DEF}) and
 * {@code flink run -c io.streamlearn.trainer.join.JoinJob} ({@link #JOB_DEF}, the bootstrap server required).
 */
public final class JoinSettings {
    /** The broker's default transaction.max.timeout.ms (15 min): a longer sink transaction fails at start. */
    public static final int MAX_TRANSACTION_TIMEOUT_MS = 900_000;

    public static final Setting<Long> WINDOW_MS = millis("window-ms", 600_000L, 1L, "A label joins the request of "
            + "its id when their event times (the records' Kafka timestamps) are at most this far apart; a label later "
            + "than that is late, one without a request within it is unmatched.");
    public static final Setting<Long> STATE_TTL_MS = millis("state-ttl-ms", 86_400_000L, 1L, "How long an id is "
            + "remembered after its last change (Flink state TTL, processing time), so that a label arriving later is "
            + "counted late, duplicate or contradictory; after it, unmatched.");
    public static final Setting<Long> OUT_OF_ORDERNESS_MS = millis("out-of-orderness-ms", 5_000L, 0L, "Watermark "
            + "delay: how far out of timestamp order records may arrive before a window closes without them.");
    public static final Setting<Long> IDLE_MS = millis("idle-ms", 30_000L, 0L, "A topic partition without records "
            + "for this long no longer holds the watermark back, so windows close while no labels come (0: never "
            + "idle).");
    public static final Setting<Long> CHECKPOINT_INTERVAL_MS = millis("checkpoint-interval-ms", 5_000L, 10L,
            "Checkpoint interval: joined examples become visible to read_committed consumers (the trainer) when the "
                    + "checkpoint that covers them completes.");
    /** The sinks' transaction.timeout.ms; an int, as Kafka reads it. */
    public static final Setting<Integer> TRANSACTION_TIMEOUT_MS = Setting.of("transaction-timeout-ms", Type.INT)
            .withLabel("MS").withDefault(600_000).withValidator(Validator.between(1_000, MAX_TRANSACTION_TIMEOUT_MS)
                    .because("the broker's default transaction.max.timeout.ms; a longer one fails the job at start"))
            .withDoc("The sinks' transaction.timeout.ms: longer than a checkpoint interval plus a restart, at most "
                    + "the broker's transaction.max.timeout.ms (900000 by default).");
    public static final Setting<String> GROUP_ID = Setting.of("group-id", Type.STRING).withLabel("GROUP")
            .withDefault("streamlearn-join").withValidator(Validator.nonBlank())
            .withDoc("Consumer group of the requests and feedback sources (offsets commit on checkpoints).");
    public static final Setting<String> TRANSACTIONAL_ID_PREFIX = Setting.of("transactional-id-prefix",
                    Type.STRING).withLabel("PREFIX").withDefault("streamlearn-join")
            .withValidator(p -> p.matches("[A-Za-z0-9._-]{1,100}") ? null
                    : "must be 1-100 letters, digits, '.', '_' or '-'")
            .withDoc("Prefix of the sinks' transactional ids; unique per join job on a cluster.");
    public static final Setting<Integer> PARALLELISM = Setting.of("parallelism", Type.INT).withLabel("N")
            .withDefault(1).withValidator(Validator.atLeast(1))
            .withDoc("Parallel instances of the sources, the decoder and the join (ids are spread by hash).");

    /** {@code streamlearn join}'s settings. */
    public static final SettingsDef DEF = SettingsDef.of("join", WINDOW_MS, STATE_TTL_MS, OUT_OF_ORDERNESS_MS,
            IDLE_MS, CHECKPOINT_INTERVAL_MS, GROUP_ID, TRANSACTIONAL_ID_PREFIX, TRANSACTION_TIMEOUT_MS, PARALLELISM,
            KafkaSettings.DEF);

    /** {@code flink run}'s: where the cluster's Kafka is must be given. */
    public static final SettingsDef JOB_DEF = DEF.replacing(KafkaSettings.BOOTSTRAP_SERVER.asRequired());

    private JoinSettings() {}

    /** A duration in milliseconds, at least {@code min}. */
    private static Setting<Long> millis(String name, long defaultMs, long min, String doc) {
        return Setting.of(name, Type.LONG).withLabel("MS").withDefault(defaultMs).withValidator(Validator.atLeast(min))
                .withDoc(doc);
    }
}
