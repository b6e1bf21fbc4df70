package io.streamlearn.trainer.join;

import io.streamlearn.core.config.KafkaSettings;
import io.streamlearn.core.config.SettingValues;
import io.streamlearn.core.kafka.Topics;
import java.io.Serializable;
import java.util.HashMap;
import java.util.List;

/**
 * Settings of the label join job, made from {@link JoinSettings} values (the same for {@code streamlearn join},
 * {@code flink run} and tests) and checked at construction.
 *
 * <pre>{@code
 * JoinConfig c = JoinConfig.fromArgs("--bootstrap-server", "127.0.0.1:9092", "--window-ms", "60000");
 * JobClient job = JoinJob.runLocal(c, new Configuration(), UnaryOperator.identity());
 * }</pre>
 *
 * @param bootstrapServers      Kafka bootstrap servers
 * @param topicPrefix           prefix of the platform's topics
 * @param windowMs              largest distance between a request's and its label's event time that still joins
 * @param stateTtlMs            how long an id's past is remembered after its last change (processing time)
 * @param outOfOrdernessMs      watermark delay
 * @param idleMs                idleness of a source partition; 0: never idle
 * @param checkpointIntervalMs  checkpoint (and sink transaction) interval
 * @param groupId               consumer group of both sources
 * @param transactionalIdPrefix prefix of both sinks' transactional ids
 * @param transactionTimeoutMs  the sinks' transaction.timeout.ms
 * @param parallelism           parallelism of every operator
 * @param kafkaOverrides        pass-through Kafka client properties
 */
public record JoinConfig(String bootstrapServers, String topicPrefix, long windowMs, long stateTtlMs,
        long outOfOrdernessMs, long idleMs, long checkpointIntervalMs, String groupId, String transactionalIdPrefix,
        int transactionTimeoutMs, int parallelism, HashMap<String, String> kafkaOverrides) implements Serializable {

    public JoinConfig {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("join: set the bootstrap servers (--bootstrap-server HOST:PORT)");
        }
        if (windowMs < 1 || stateTtlMs < 1 || outOfOrdernessMs < 0 || idleMs < 0 || checkpointIntervalMs < 10
                || parallelism < 1) {
            throw new IllegalArgumentException("join: --window-ms " + windowMs + " and --state-ttl-ms " + stateTtlMs
                    + " must be >= 1, --out-of-orderness-ms " + outOfOrdernessMs + " and --idle-ms " + idleMs
                    + " >= 0, --checkpoint-interval-ms " + checkpointIntervalMs + " >= 10, --parallelism "
                    + parallelism + " >= 1");
        }
        if (transactionTimeoutMs < 1_000 || transactionTimeoutMs > JoinSettings.MAX_TRANSACTION_TIMEOUT_MS) {
            throw new IllegalArgumentException("join: --transaction-timeout-ms " + transactionTimeoutMs
                    + " must be 1000.." + JoinSettings.MAX_TRANSACTION_TIMEOUT_MS
                    + " (the broker's default transaction.max.timeout.ms)");
        }
        // A HashMap of its own: Flink serializes the config into the job, and nobody may change it afterwards.
        kafkaOverrides = new HashMap<>(kafkaOverrides);
    }

    /** The config of checked {@link JoinSettings} values ({@link JoinSettings#DEF} or {@link JoinSettings#JOB_DEF}). */
    public static JoinConfig fromSettings(SettingValues v) {
        return new JoinConfig(v.get(KafkaSettings.BOOTSTRAP_SERVER), v.get(KafkaSettings.TOPIC_PREFIX),
                v.get(JoinSettings.WINDOW_MS), v.get(JoinSettings.STATE_TTL_MS),
                v.get(JoinSettings.OUT_OF_ORDERNESS_MS), v.get(JoinSettings.IDLE_MS),
                v.get(JoinSettings.CHECKPOINT_INTERVAL_MS), v.get(JoinSettings.GROUP_ID),
                v.get(JoinSettings.TRANSACTIONAL_ID_PREFIX), v.get(JoinSettings.TRANSACTION_TIMEOUT_MS),
                v.get(JoinSettings.PARALLELISM), new HashMap<>(KafkaSettings.overrides(v)));
    }

    /** The config of {@code streamlearn join} arguments ({@link JoinSettings#DEF}); unknown ones fail by name. */
    public static JoinConfig fromArgs(String... args) {
        return fromSettings(JoinSettings.DEF.parseArgs(List.of(args)));
    }

    public Topics topics() {
        return new Topics(topicPrefix);
    }

    /** A copy of the pass-through Kafka client properties. */
    @Override
    public HashMap<String, String> kafkaOverrides() {
        return new HashMap<>(kafkaOverrides);
    }
}
