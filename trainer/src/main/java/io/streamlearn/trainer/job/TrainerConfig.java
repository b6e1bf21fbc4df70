package io.streamlearn.trainer.job;

import io.streamlearn.core.config.CommonSettings;
import io.streamlearn.core.config.KafkaSettings;
import io.streamlearn.core.config.SettingValues;
import io.streamlearn.core.kafka.Topics;
import io.streamlearn.core.model.ModelSpec;
import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;

/**
 * Settings of the trainer job, immutable after {@link Builder#build()}.
 *
 * <pre>{@code
 * TrainerConfig c = TrainerConfig.builder().setBootstrapServers("127.0.0.1:9092")
 *         .setSpec(ModelSpec.read(Path.of("specs/mlp.json"))).setStoreRoot("/var/lib/streamlearn/snapshots")
 *         .optCheckpointIntervalMs(5000).build();
 * }</pre>
 */
public final class TrainerConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String bootstrapServers;
    private final String topicPrefix;
    private final String specJson;
    private final String storeRoot;
    private final String groupId;
    private final long checkpointIntervalMs;
    private final long maxWaitMs;
    private final double holdoutFraction;
    private final String device;
    private final int decodeParallelism;
    private final int parallelism;
    private final long mergeTimeoutMs;
    private final HashMap<String, String> kafkaOverrides;
    private final long initFromVersion;
    private final double gateMargin;
    private final double gateMinHoldout;
    private final String driftDetector;
    private final DriftReaction driftReaction;
    private final boolean fresh;
    private final String signingKeyFile;

    private TrainerConfig(Builder b) {
        this.bootstrapServers = b.bootstrapServers;
        this.topicPrefix = b.topicPrefix;
        this.specJson = b.spec.toJson();
        this.storeRoot = b.storeRoot;
        this.groupId = b.groupId == null ? "streamlearn-trainer-" + b.spec.name() : b.groupId;
        this.checkpointIntervalMs = b.checkpointIntervalMs;
        this.maxWaitMs = b.maxWaitMs;
        this.holdoutFraction = b.holdoutFraction;
        this.device = b.device;
        this.decodeParallelism = b.decodeParallelism;
        this.parallelism = b.parallelism;
        this.mergeTimeoutMs = b.mergeTimeoutMs;
        this.kafkaOverrides = new HashMap<>(b.kafkaOverrides);
        this.initFromVersion = b.initFromVersion;
        this.gateMargin = b.gateMargin;
        this.gateMinHoldout = b.gateMinHoldout;
        this.driftDetector = b.driftDetector;
        this.driftReaction = b.driftReaction;
        this.fresh = b.fresh;
        this.signingKeyFile = b.signingKeyFile;
    }

    /** Ed25519 private key file (as the task managers see it) that signs every manifest, or null: unsigned. */
    public String signingKeyFile() {
        return signingKeyFile;
    }

    /** Whether a start without Flink state ignores the published snapshots (see {@link StartingPoint}). */
    public boolean fresh() {
        return fresh;
    }

    /** Detector of the prequential error, as {@code DriftDetector.parse} reads it, or {@code none}. */
    public String driftDetector() {
        return driftDetector;
    }

    /** What the trainer does when drift is detected. */
    public DriftReaction driftReaction() {
        return driftReaction;
    }

    /** The trainer's reaction to a detected drift. */
    public enum DriftReaction {
        /** Only report it. */
        NONE,
        /** Ten times the learning rate for the next 200 steps. */
        LR_BOOST,
        /** Forget the optimizer's moments and step counts, so it adapts as on a fresh start. */
        RESET_OPTIMIZER;

        public static DriftReaction parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("drift reaction '" + s + "' must be none, lr-boost or reset-optimizer", e);
            }
        }
    }

    /** Published version to warm-start from when there is no checkpoint to restore; 0 for none. */
    public long initFromVersion() {
        return initFromVersion;
    }

    /** Largest drop of holdout accuracy below the published version's (same recent rows) that may still be published. */
    public double gateMargin() {
        return gateMargin;
    }

    /** Lowest holdout accuracy that may be published (0 disables). */
    public double gateMinHoldout() {
        return gateMinHoldout;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The config of checked {@link TrainerSettings} values ({@link TrainerSettings#DEF} or
     * {@link TrainerSettings#JOB_DEF}) and the spec their {@code --spec} names, resolved by the caller.
     */
    public static TrainerConfig fromSettings(SettingValues v, ModelSpec spec) {
        Builder b = builder().setBootstrapServers(v.get(KafkaSettings.BOOTSTRAP_SERVER)).setSpec(spec)
                .setStoreRoot(v.get(CommonSettings.STORE).toAbsolutePath().toString())
                .optTopicPrefix(v.get(KafkaSettings.TOPIC_PREFIX))
                .optCheckpointIntervalMs(v.get(TrainerSettings.CHECKPOINT_INTERVAL_MS))
                .optMaxWaitMs(v.get(TrainerSettings.MAX_WAIT_MS)).optHoldoutFraction(v.get(TrainerSettings.HOLDOUT))
                .optDevice(v.get(CommonSettings.DEVICE)).optInitFromVersion(v.get(TrainerSettings.INIT_FROM))
                .optGateMargin(v.get(TrainerSettings.GATE_MARGIN))
                .optGateMinHoldout(v.get(TrainerSettings.GATE_MIN_HOLDOUT))
                .optDriftDetector(v.get(TrainerSettings.DRIFT_DETECTOR))
                .optDriftReaction(v.get(TrainerSettings.DRIFT_REACTION))
                .optDecodeParallelism(v.get(TrainerSettings.DECODE_PARALLELISM))
                .optParallelism(v.get(TrainerSettings.PARALLELISM))
                .optMergeTimeoutMs(v.get(TrainerSettings.MERGE_TIMEOUT_MS))
                .optFresh(v.get(TrainerSettings.FRESH))
                .optKafkaOverrides(KafkaSettings.overrides(v));
        if (v.isSet(TrainerSettings.GROUP_ID)) {
            b.optGroupId(v.get(TrainerSettings.GROUP_ID));
        }
        if (v.isSet(CommonSettings.SIGNING_KEY_FILE)) {
            b.optSigningKeyFile(v.get(CommonSettings.SIGNING_KEY_FILE).toAbsolutePath().toString());
        }
        return b.build();
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public Topics topics() {
        return new Topics(topicPrefix);
    }

    public ModelSpec spec() {
        return ModelSpec.fromJson(specJson);
    }

    public String storeRoot() {
        return storeRoot;
    }

    public String groupId() {
        return groupId;
    }

    public long checkpointIntervalMs() {
        return checkpointIntervalMs;
    }

    public long maxWaitMs() {
        return maxWaitMs;
    }

    public double holdoutFraction() {
        return holdoutFraction;
    }

    public String device() {
        return device;
    }

    public int decodeParallelism() {
        return decodeParallelism;
    }

    /** Data-parallel trainer subtasks (and at least as many source and decoder instances). */
    public int parallelism() {
        return parallelism;
    }

    public long mergeTimeoutMs() {
        return mergeTimeoutMs;
    }

    public Map<String, String> kafkaOverrides() {
        return new HashMap<>(kafkaOverrides);
    }

    /** Builder of {@link TrainerConfig}: {@code setX} for what is required, {@code optX} for the rest. */
    public static final class Builder {
        private String bootstrapServers;
        private ModelSpec spec;
        private String storeRoot;
        // Defaults are TrainerSettings' (the one place they are defined and documented).
        private String topicPrefix = KafkaSettings.TOPIC_PREFIX.defaultValue();
        private String groupId;
        private String signingKeyFile;
        private long checkpointIntervalMs = TrainerSettings.CHECKPOINT_INTERVAL_MS.defaultValue();
        private long maxWaitMs = TrainerSettings.MAX_WAIT_MS.defaultValue();
        private double holdoutFraction = TrainerSettings.HOLDOUT.defaultValue();
        private String device = CommonSettings.DEVICE.defaultValue();
        private int decodeParallelism = TrainerSettings.DECODE_PARALLELISM.defaultValue();
        private int parallelism = TrainerSettings.PARALLELISM.defaultValue();
        private long mergeTimeoutMs = TrainerSettings.MERGE_TIMEOUT_MS.defaultValue();
        private Map<String, String> kafkaOverrides = Map.of();
        private long initFromVersion = TrainerSettings.INIT_FROM.defaultValue();
        private double gateMargin = TrainerSettings.GATE_MARGIN.defaultValue();
        private double gateMinHoldout = TrainerSettings.GATE_MIN_HOLDOUT.defaultValue();
        private String driftDetector = TrainerSettings.DRIFT_DETECTOR.defaultValue();
        private DriftReaction driftReaction = TrainerSettings.DRIFT_REACTION.defaultValue();
        private boolean fresh = TrainerSettings.FRESH.defaultValue();

        /**
         * Start from new parameters when no checkpoint is restored, instead of resuming the latest published
         * snapshot (default false: resume); the source then reads from the group's committed offsets.
         */
        public Builder optFresh(boolean fresh) {
            this.fresh = fresh;
            return this;
        }

        /** Drift detector of the prequential error: {@code adwin[:delta=..]}, {@code page-hinkley[:...]} or {@code none}. */
        public Builder optDriftDetector(String spec) {
            this.driftDetector = spec;
            return this;
        }

        /** Reaction to a detected drift (default reset-optimizer); the quality gate's baseline resets either way. */
        public Builder optDriftReaction(DriftReaction reaction) {
            this.driftReaction = reaction;
            return this;
        }

        /** Warm-start from this published version of the model (ignored when restoring a checkpoint). */
        public Builder optInitFromVersion(long version) {
            this.initFromVersion = version;
            return this;
        }

        /** Quality gate: refuse a snapshot whose holdout accuracy is more than this below the published version's. */
        public Builder optGateMargin(double margin) {
            this.gateMargin = margin;
            return this;
        }

        /** Quality gate: refuse a snapshot whose holdout accuracy is below this (default 0: off). */
        public Builder optGateMinHoldout(double min) {
            this.gateMinHoldout = min;
            return this;
        }

        public Builder setBootstrapServers(String bootstrapServers) {
            this.bootstrapServers = bootstrapServers;
            return this;
        }

        public Builder setSpec(ModelSpec spec) {
            this.spec = spec;
            return this;
        }

        public Builder setStoreRoot(String storeRoot) {
            this.storeRoot = storeRoot;
            return this;
        }

        public Builder optTopicPrefix(String prefix) {
            this.topicPrefix = prefix;
            return this;
        }

        /** Signs every manifest with the Ed25519 private key in this file (PKCS#8, PEM or DER); null: unsigned. */
        public Builder optSigningKeyFile(String signingKeyFile) {
            this.signingKeyFile = signingKeyFile;
            return this;
        }

        public Builder optGroupId(String groupId) {
            this.groupId = groupId;
            return this;
        }

        /** How often state is checkpointed and, so, how often a snapshot can be published (ms). */
        public Builder optCheckpointIntervalMs(long ms) {
            this.checkpointIntervalMs = ms;
            return this;
        }

        /** Longest time an example waits for its mini-batch to fill (ms); a slow stream still learns. */
        public Builder optMaxWaitMs(long ms) {
            this.maxWaitMs = ms;
            return this;
        }

        /** Fraction of ids (by hash) held out from training for the holdout metrics. */
        public Builder optHoldoutFraction(double fraction) {
            this.holdoutFraction = fraction;
            return this;
        }

        /** auto, cpu, gpu or gpu:N. */
        public Builder optDevice(String device) {
            this.device = device;
            return this;
        }

        public Builder optDecodeParallelism(int parallelism) {
            this.decodeParallelism = parallelism;
            return this;
        }

        /** Data-parallel trainer subtasks, merged into one model at every checkpoint (default 1). */
        public Builder optParallelism(int parallelism) {
            this.parallelism = parallelism;
            return this;
        }

        /** Longest wait for the other subtasks' contributions to a merge (ms). */
        public Builder optMergeTimeoutMs(long ms) {
            this.mergeTimeoutMs = ms;
            return this;
        }

        /** Kafka client properties for the source, sinks and publisher (SASL, SSL, ...). */
        public Builder optKafkaOverrides(Map<String, String> overrides) {
            this.kafkaOverrides = Map.copyOf(overrides);
            return this;
        }

        public TrainerConfig build() {
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                throw new IllegalArgumentException("trainer: bootstrap servers are required (--bootstrap-server)");
            }
            if (spec == null) {
                throw new IllegalArgumentException("trainer: a model spec is required (--spec)");
            }
            if (storeRoot == null || storeRoot.isBlank()) {
                throw new IllegalArgumentException("trainer: a snapshot store directory is required (--store)");
            }
            if (checkpointIntervalMs < 10) {
                throw new IllegalArgumentException("trainer: checkpoint interval " + checkpointIntervalMs
                        + " ms is below the minimum of 10 ms");
            }
            if (maxWaitMs < 1) {
                throw new IllegalArgumentException("trainer: max wait " + maxWaitMs + " ms must be >= 1");
            }
            if (!(holdoutFraction >= 0 && holdoutFraction < 1)) {
                throw new IllegalArgumentException("trainer: holdout fraction " + holdoutFraction + " must be in [0, 1)");
            }
            if (initFromVersion < 0) {
                throw new IllegalArgumentException("trainer: --init-from version " + initFromVersion
                        + " must be >= 0 (0: a fresh start)");
            }
            if (!(gateMargin >= 0 && gateMargin <= 1) || !(gateMinHoldout >= 0 && gateMinHoldout <= 1)) {
                throw new IllegalArgumentException("trainer: quality gate margin " + gateMargin + " and minimum "
                        + gateMinHoldout + " must be in [0, 1]");
            }
            if (driftDetector == null || driftReaction == null) {
                throw new IllegalArgumentException("trainer: drift detector and reaction must be set ('none' disables)");
            }
            if (!driftDetector.equalsIgnoreCase("none")) {
                io.streamlearn.core.drift.DriftDetector.parse(driftDetector);
            }
            if (decodeParallelism < 1 || parallelism < 1 || parallelism > TrainerJob.MAX_PARALLELISM) {
                throw new IllegalArgumentException("trainer: decode parallelism " + decodeParallelism + " must be >= 1 "
                        + "and --parallelism " + parallelism + " in [1, " + TrainerJob.MAX_PARALLELISM + "]");
            }
            if (mergeTimeoutMs < 1) {
                throw new IllegalArgumentException("trainer: --merge-timeout-ms " + mergeTimeoutMs + " must be >= 1");
            }
            return new TrainerConfig(this);
        }
    }
}
