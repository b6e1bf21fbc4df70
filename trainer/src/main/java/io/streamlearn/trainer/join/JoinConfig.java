package io.streamlearn.trainer.join;

import io.streamlearn.core.config.KafkaSettings;
import io.streamlearn.core.config.SettingValues;
import io.streamlearn.core.kafka.Topics;
import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;

/**
 * Settings of the label join job, immutable after {@link Builder#build()}.
 *
 * <pre>{@code
 * JoinConfig c = JoinConfig.builder().setBootstrapServers("127.0.0.1:9092").optWindowMs(60_000).build();
 * JobClient job = JoinJob.runLocal(c, new Configuration());
 * }</pre>
 */
public final class JoinConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String bootstrapServers;
    private final String topicPrefix;
    private final long windowMs;
    private final long stateTtlMs;
    private final long outOfOrdernessMs;
    private final long idleMs;
    private final long checkpointIntervalMs;
    private final String groupId;
    private final String transactionalIdPrefix;
    private final int transactionTimeoutMs;
    private final int parallelism;
    private final HashMap<String, String> kafkaOverrides;

    private JoinConfig(Builder b) {
        this.bootstrapServers = b.bootstrapServers;
        this.topicPrefix = b.topicPrefix;
        this.windowMs = b.windowMs;
        this.stateTtlMs = b.stateTtlMs;
        this.outOfOrdernessMs = b.outOfOrdernessMs;
        this.idleMs = b.idleMs;
        this.checkpointIntervalMs = b.checkpointIntervalMs;
        this.groupId = b.groupId;
        this.transactionalIdPrefix = b.transactionalIdPrefix;
        this.transactionTimeoutMs = b.transactionTimeoutMs;
        this.parallelism = b.parallelism;
        this.kafkaOverrides = new HashMap<>(b.kafkaOverrides);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The config of checked {@link JoinSettings} values ({@link JoinSettings#DEF} or {@link JoinSettings#JOB_DEF}). */
    public static JoinConfig fromSettings(SettingValues v) {
        return builder().setBootstrapServers(v.get(KafkaSettings.BOOTSTRAP_SERVER))
                .optTopicPrefix(v.get(KafkaSettings.TOPIC_PREFIX))
                .optWindowMs(v.get(JoinSettings.WINDOW_MS))
                .optStateTtlMs(v.get(JoinSettings.STATE_TTL_MS))
                .optOutOfOrdernessMs(v.get(JoinSettings.OUT_OF_ORDERNESS_MS))
                .optIdleMs(v.get(JoinSettings.IDLE_MS))
                .optCheckpointIntervalMs(v.get(JoinSettings.CHECKPOINT_INTERVAL_MS))
                .optGroupId(v.get(JoinSettings.GROUP_ID))
                .optTransactionalIdPrefix(v.get(JoinSettings.TRANSACTIONAL_ID_PREFIX))
                .optTransactionTimeoutMs(v.get(JoinSettings.TRANSACTION_TIMEOUT_MS))
                .optParallelism(v.get(JoinSettings.PARALLELISM))
                .optKafkaOverrides(KafkaSettings.overrides(v))
                .build();
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public Topics topics() {
        return new Topics(topicPrefix);
    }

    /** Largest distance between a request's and its label's event time that still joins. */
    public long windowMs() {
        return windowMs;
    }

    /** How long an id's outcome is remembered after its last change (processing time). */
    public long stateTtlMs() {
        return stateTtlMs;
    }

    public long outOfOrdernessMs() {
        return outOfOrdernessMs;
    }

    /** Idleness of a source partition, in ms; 0: never idle. */
    public long idleMs() {
        return idleMs;
    }

    public long checkpointIntervalMs() {
        return checkpointIntervalMs;
    }

    public String groupId() {
        return groupId;
    }

    public String transactionalIdPrefix() {
        return transactionalIdPrefix;
    }

    public int transactionTimeoutMs() {
        return transactionTimeoutMs;
    }

    public int parallelism() {
        return parallelism;
    }

    /** A copy of the pass-through Kafka client properties. */
    public Map<String, String> kafkaOverrides() {
        return new HashMap<>(kafkaOverrides);
    }

    /** Builds a {@link JoinConfig}; the defaults are those of {@link JoinSettings}. */
    public static final class Builder {
        private String bootstrapServers;
        private String topicPrefix = Topics.DEFAULT_PREFIX;
        private long windowMs = JoinSettings.WINDOW_MS.defaultValue();
        private long stateTtlMs = JoinSettings.STATE_TTL_MS.defaultValue();
        private long outOfOrdernessMs = JoinSettings.OUT_OF_ORDERNESS_MS.defaultValue();
        private long idleMs = JoinSettings.IDLE_MS.defaultValue();
        private long checkpointIntervalMs = JoinSettings.CHECKPOINT_INTERVAL_MS.defaultValue();
        private String groupId = JoinSettings.GROUP_ID.defaultValue();
        private String transactionalIdPrefix = JoinSettings.TRANSACTIONAL_ID_PREFIX.defaultValue();
        private int transactionTimeoutMs = JoinSettings.TRANSACTION_TIMEOUT_MS.defaultValue();
        private int parallelism = JoinSettings.PARALLELISM.defaultValue();
        private Map<String, String> kafkaOverrides = Map.of();

        private Builder() {}

        public Builder setBootstrapServers(String v) {
            this.bootstrapServers = v;
            return this;
        }

        public Builder optTopicPrefix(String v) {
            this.topicPrefix = v;
            return this;
        }

        public Builder optWindowMs(long v) {
            this.windowMs = v;
            return this;
        }

        public Builder optStateTtlMs(long v) {
            this.stateTtlMs = v;
            return this;
        }

        public Builder optOutOfOrdernessMs(long v) {
            this.outOfOrdernessMs = v;
            return this;
        }

        public Builder optIdleMs(long v) {
            this.idleMs = v;
            return this;
        }

        public Builder optCheckpointIntervalMs(long v) {
            this.checkpointIntervalMs = v;
            return this;
        }

        public Builder optGroupId(String v) {
            this.groupId = v;
            return this;
        }

        public Builder optTransactionalIdPrefix(String v) {
            this.transactionalIdPrefix = v;
            return this;
        }

        public Builder optTransactionTimeoutMs(int v) {
            this.transactionTimeoutMs = v;
            return this;
        }

        public Builder optParallelism(int v) {
            this.parallelism = v;
            return this;
        }

        public Builder optKafkaOverrides(Map<String, String> v) {
            this.kafkaOverrides = Map.copyOf(v);
            return this;
        }

        /** Checks the values (the same rules as {@link JoinSettings}) and builds the config. */
        public JoinConfig build() {
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                throw new IllegalArgumentException("join: set the bootstrap servers (--bootstrap-server HOST:PORT)");
            }
            if (windowMs < 1 || stateTtlMs < 1 || outOfOrdernessMs < 0 || idleMs < 0 || checkpointIntervalMs < 10
                    || parallelism < 1) {
                throw new IllegalArgumentException("join: --window-ms " + windowMs + " and --state-ttl-ms "
                        + stateTtlMs + " must be >= 1, --out-of-orderness-ms " + outOfOrdernessMs + " and --idle-ms "
                        + idleMs + " >= 0, --checkpoint-interval-ms " + checkpointIntervalMs
                        + " >= 10, --parallelism " + parallelism + " >= 1");
            }
            if (transactionTimeoutMs < 1_000 || transactionTimeoutMs > JoinSettings.MAX_TRANSACTION_TIMEOUT_MS) {
                throw new IllegalArgumentException("join: --transaction-timeout-ms " + transactionTimeoutMs
                        + " must be 1000.." + JoinSettings.MAX_TRANSACTION_TIMEOUT_MS
                        + " (the broker's default transaction.max.timeout.ms)");
            }
            return new JoinConfig(this);
        }
    }
}
