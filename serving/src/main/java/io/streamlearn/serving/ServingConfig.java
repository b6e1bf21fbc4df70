package io.streamlearn.serving;

import io.streamlearn.core.kafka.Topics;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The immutable settings of one {@link PredictionService}, built the DJL way.
 *
 * <pre>{@code
 * ServingConfig config = ServingConfig.builder()
 *         .setBootstrapServers("127.0.0.1:9092")
 *         .setModel("mlp")
 *         .setStoreRoot(Path.of("/var/lib/streamlearn/snapshots"))
 *         .optMaxBatch(128)
 *         .build();
 * }</pre>
 */
public final class ServingConfig {
    /** Largest micro-batch the service accepts: the batch buffer is allocated once at this size. */
    public static final int MAX_BATCH_LIMIT = 65_536;
    /** Longest micro-batch wait: one second; longer waits only add latency. */
    public static final long MAX_WAIT_MICROS_LIMIT = 1_000_000L;

    private final String bootstrapServers;
    private final String model;
    private final Path storeRoot;
    private final Topics topics;
    private final String groupId;
    private final int maxBatch;
    private final long maxWaitMicros;
    private final int topK;
    private final long pinVersion;
    private final Map<String, String> kafkaOverrides;
    private final Clock clock;

    private ServingConfig(Builder b) {
        this.bootstrapServers = b.bootstrapServers;
        this.model = b.model;
        this.storeRoot = b.storeRoot.toAbsolutePath();
        this.topics = b.topics;
        this.groupId = b.groupId;
        this.maxBatch = b.maxBatch;
        this.maxWaitMicros = b.maxWaitMicros;
        this.topK = b.topK;
        this.pinVersion = b.pinVersion;
        this.kafkaOverrides = Map.copyOf(b.kafkaOverrides);
        this.clock = b.clock;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Kafka bootstrap servers, {@code host:port[,host:port]}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Name of the model this service answers for (the key on the models topic). */
    public String model() {
        return model;
    }

    /** Root directory of the snapshot store. */
    public Path storeRoot() {
        return storeRoot;
    }

    public Topics topics() {
        return topics;
    }

    /** Consumer group of the request loop. */
    public String groupId() {
        return groupId;
    }

    /** Most requests in one forward pass. */
    public int maxBatch() {
        return maxBatch;
    }

    /** How long a partial micro-batch waits for more requests, in microseconds. */
    public long maxWaitMicros() {
        return maxWaitMicros;
    }

    /** Number of class scores each prediction carries (capped at the model's class count). */
    public int topK() {
        return topK;
    }

    /** The one version to serve, or 0 to follow the newest published version. */
    public long pinVersion() {
        return pinVersion;
    }

    /** Whether a version is pinned. */
    public boolean pinned() {
        return pinVersion > 0;
    }

    /** Kafka client settings applied over {@code KafkaClients}' defaults (e.g. SASL/SSL keys). */
    public Map<String, String> kafkaOverrides() {
        return kafkaOverrides;
    }

    public Clock clock() {
        return clock;
    }

    @Override
    public String toString() {
        return "ServingConfig{bootstrapServers=" + bootstrapServers + ", model=" + model + ", storeRoot=" + storeRoot
                + ", topics=" + topics.prefix() + "*, groupId=" + groupId + ", maxBatch=" + maxBatch
                + ", maxWaitMicros=" + maxWaitMicros + ", topK=" + topK + ", pinVersion=" + pinVersion
                + ", kafkaOverrides=" + kafkaOverrides.keySet() + "}";
    }

    /** Builder of a {@link ServingConfig}: {@code setX} is required, {@code optX} has the default shown. */
    public static final class Builder {
        private String bootstrapServers;
        private String model;
        private Path storeRoot;
        private Topics topics = Topics.defaults();
        private String groupId = "streamlearn-serving";
        private int maxBatch = 256;
        private long maxWaitMicros = 2_000;
        private int topK = 3;
        private long pinVersion = 0;
        private Map<String, String> kafkaOverrides = new LinkedHashMap<>();
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        public Builder setBootstrapServers(String bootstrapServers) {
            this.bootstrapServers = bootstrapServers;
            return this;
        }

        public Builder setModel(String model) {
            this.model = model;
            return this;
        }

        public Builder setStoreRoot(Path storeRoot) {
            this.storeRoot = storeRoot;
            return this;
        }

        public Builder optTopics(Topics topics) {
            this.topics = topics;
            return this;
        }

        public Builder optGroupId(String groupId) {
            this.groupId = groupId;
            return this;
        }

        public Builder optMaxBatch(int maxBatch) {
            this.maxBatch = maxBatch;
            return this;
        }

        public Builder optMaxWaitMicros(long maxWaitMicros) {
            this.maxWaitMicros = maxWaitMicros;
            return this;
        }

        public Builder optTopK(int topK) {
            this.topK = topK;
            return this;
        }

        /** Serve only {@code version}, loaded from the store at start; 0 (default) follows the models topic. */
        public Builder optPinVersion(long pinVersion) {
            this.pinVersion = pinVersion;
            return this;
        }

        public Builder optKafkaOverrides(Map<String, String> kafkaOverrides) {
            this.kafkaOverrides = kafkaOverrides == null ? null : new LinkedHashMap<>(kafkaOverrides);
            return this;
        }

        public Builder optClock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** Checks every setting and builds the config; the exception lists every problem found. */
        public ServingConfig build() {
            List<String> problems = validate();
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("invalid serving config: " + String.join("; ", problems));
            }
            return new ServingConfig(this);
        }

        private List<String> validate() {
            List<String> p = new ArrayList<>();
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                p.add("bootstrap servers are required: call setBootstrapServers(\"host:port\")");
            }
            if (model == null || !model.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
                p.add("model name '" + model + "' must be 1-128 characters of letters, digits, '.', '_' or '-', "
                        + "starting with a letter or digit: call setModel(name)");
            }
            if (storeRoot == null) {
                p.add("snapshot store root is required: call setStoreRoot(path)");
            }
            if (topics == null) {
                p.add("topics must not be null: omit optTopics for the defaults");
            }
            if (groupId == null || groupId.isBlank()) {
                p.add("consumer group id must be non-empty (default streamlearn-serving)");
            }
            if (maxBatch < 1 || maxBatch > MAX_BATCH_LIMIT) {
                p.add("maxBatch is " + maxBatch + ", must be 1.." + MAX_BATCH_LIMIT);
            }
            if (maxWaitMicros < 0 || maxWaitMicros > MAX_WAIT_MICROS_LIMIT) {
                p.add("maxWaitMicros is " + maxWaitMicros + ", must be 0.." + MAX_WAIT_MICROS_LIMIT);
            }
            if (topK < 1) {
                p.add("topK is " + topK + ", must be >= 1");
            }
            if (pinVersion < 0) {
                p.add("pinVersion is " + pinVersion + ", must be 0 (follow the newest) or a published version >= 1");
            }
            if (kafkaOverrides == null) {
                p.add("kafka overrides must not be null: pass an empty map");
            } else {
                kafkaOverrides.forEach((k, v) -> {
                    if (k == null || v == null) {
                        p.add("kafka override " + k + "=" + v + " has a null key or value");
                    }
                });
            }
            if (clock == null) {
                p.add("clock must not be null: omit optClock for the system clock");
            }
            return p;
        }
    }
}
