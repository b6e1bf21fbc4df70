package io.streamlearn.serving;

import static io.streamlearn.serving.ServingConfigChecks.check;
import static io.streamlearn.serving.ServingConfigChecks.checkIfSet;
import static io.streamlearn.serving.ServingConfigChecks.instanceIdModes;
import static io.streamlearn.serving.ServingConfigChecks.require;

import io.streamlearn.core.config.SettingValues;
import io.streamlearn.core.config.Validator;
import io.streamlearn.core.kafka.Topics;
import io.streamlearn.serving.http.HttpOptions;
import io.streamlearn.serving.model.ChallengerRule;
import io.streamlearn.serving.model.InferencePrecision;
import io.streamlearn.serving.model.LoadedModel;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * The immutable settings of one {@link PredictionService}, built the DJL way. Each accessor returns the setting of
 * the same meaning in {@link ServingSettings}, where it is documented once (docs/cli.md lists them).
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
    private final String bootstrapServers;
    private final String model;
    private final Path storeRoot;
    private final Topics topics;
    private final String groupId;
    private final ServingProfile profile;
    private final int maxBatch;
    private final long maxWaitMicros;
    private final int topK;
    private final InferencePrecision precision;
    private final long pinVersion;
    private final PublicKey verifyKey;
    private final Map<String, String> kafkaOverrides;
    private final Clock clock;
    private final boolean exactlyOnce;
    private final String transactionalIdPrefix;
    private final String instanceId;
    private final boolean staticMembership;
    private final int transactionTimeoutMs;
    private final String httpHost;
    private final int httpPort;
    private final HttpOptions httpOptions;
    private final ChallengerRule challenger;

    private ServingConfig(Builder b) {
        this.bootstrapServers = b.bootstrapServers;
        this.model = b.model;
        this.storeRoot = b.storeRoot.toAbsolutePath();
        this.topics = b.topics;
        this.groupId = b.groupId;
        this.profile = b.profile;
        this.maxBatch = b.maxBatch;
        this.maxWaitMicros = b.maxWaitMicros != null ? b.maxWaitMicros : b.profile.maxWaitMicros();
        this.topK = b.topK;
        this.precision = b.precision;
        this.pinVersion = b.pinVersion;
        this.verifyKey = b.verifyKey;
        this.kafkaOverrides = Map.copyOf(b.kafkaOverrides);
        this.clock = b.clock;
        this.exactlyOnce = b.exactlyOnce;
        this.transactionalIdPrefix = b.transactionalIdPrefix;
        this.instanceId = b.instanceId;
        this.staticMembership = b.staticMembership;
        this.transactionTimeoutMs = b.transactionTimeoutMs;
        this.httpHost = b.httpHost;
        this.httpPort = b.httpPort;
        this.httpOptions = b.httpOptions;
        this.challenger = b.challenger;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The builder of checked {@link ServingSettings} values; callers may still set what has no setting (clock). */
    public static Builder fromSettings(SettingValues v) {
        return ServingSettings.applyTo(builder(), v);
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public String model() {
        return model;
    }

    public Path storeRoot() {
        return storeRoot;
    }

    public Topics topics() {
        return topics;
    }

    public String groupId() {
        return groupId;
    }

    /** The latency/throughput trade-off of the Kafka clients and of the default batch wait. */
    public ServingProfile profile() {
        return profile;
    }

    public int maxBatch() {
        return maxBatch;
    }

    public long maxWaitMicros() {
        return maxWaitMicros;
    }

    public int topK() {
        return topK;
    }

    /** The number type of the forward pass. */
    public InferencePrecision precision() {
        return precision;
    }

    public long pinVersion() {
        return pinVersion;
    }

    public PublicKey verifyKey() {
        return verifyKey;
    }

    /** Whether a version is pinned. */
    public boolean pinned() {
        return pinVersion > 0;
    }

    public Map<String, String> kafkaOverrides() {
        return kafkaOverrides;
    }

    public Clock clock() {
        return clock;
    }

    /** Whether predictions, dead letters and offsets commit in one transaction per micro-batch (exactly-once). */
    public boolean exactlyOnce() {
        return exactlyOnce;
    }

    public String transactionalIdPrefix() {
        return transactionalIdPrefix;
    }

    public String instanceId() {
        return instanceId;
    }

    /** Exactly-once: {@code <transactionalIdPrefix>-<model>-<instanceId>}, one per instance; a restart with the
     * same id fences its predecessor and aborts its open transaction at once, instead of after the timeout. */
    public String transactionalId() {
        return transactionalIdPrefix + "-" + model + "-" + instanceId;
    }

    /** Whether the request consumer is a static member under {@link #instanceId()} (see optStaticMembership). */
    public boolean staticMembership() {
        return staticMembership;
    }

    public int transactionTimeoutMs() {
        return transactionTimeoutMs;
    }

    /** Whether the HTTP endpoint is enabled. */
    public boolean httpEnabled() {
        return httpHost != null;
    }

    public String httpHost() {
        return httpHost;
    }

    public int httpPort() {
        return httpPort;
    }

    public HttpOptions httpOptions() {
        return httpOptions;
    }

    public ChallengerRule challenger() {
        return challenger;
    }

    @Override
    public String toString() {
        return "ServingConfig{model=" + model + ", bootstrapServers=" + bootstrapServers + ", storeRoot=" + storeRoot
                + ", topics=" + topics.prefix() + "*, groupId=" + groupId + ", instanceId=" + instanceId
                + (staticMembership ? " (static)" : "") + ", profile=" + profile + ", maxBatch=" + maxBatch
                + ", maxWaitMicros=" + maxWaitMicros
                + ", topK=" + topK + ", precision=" + precision + ", pinVersion=" + pinVersion
                + (verifyKey == null ? "" : ", signatures verified")
                + ", kafkaOverrides=" + kafkaOverrides.keySet()
                + (exactlyOnce ? ", exactly-once as " + transactionalId() + " (" + transactionTimeoutMs + " ms)" : "")
                + ", http=" + (httpEnabled() ? httpHost + ":" + httpPort : "off") + ", challenger=" + challenger + "}";
    }

    /** Builder of a {@link ServingConfig}: {@code setX} is required, {@code optX} has the default shown. */
    public static final class Builder {
        private String bootstrapServers;
        private String model;
        private Path storeRoot;
        // Defaults are ServingSettings' (the one place they are defined and documented).
        private Topics topics = Topics.defaults();
        private String groupId = ServingSettings.GROUP_ID.defaultValue();
        private ServingProfile profile = ServingSettings.PROFILE.defaultValue();
        private int maxBatch = ServingSettings.MAX_BATCH.defaultValue();
        private Long maxWaitMicros; // null: the profile's
        private int topK = ServingSettings.TOP_K.defaultValue();
        private InferencePrecision precision = ServingSettings.PRECISION.defaultValue();
        private long pinVersion = ServingSettings.PIN_VERSION.defaultValue();
        private PublicKey verifyKey;
        private Map<String, String> kafkaOverrides = new LinkedHashMap<>();
        private Clock clock = Clock.systemUTC();
        private boolean exactlyOnce = false;
        private String transactionalIdPrefix = ServingSettings.TRANSACTIONAL_ID_PREFIX.defaultValue();
        private String instanceId = UUID.randomUUID().toString().substring(0, 8);
        private boolean instanceIdGiven = false;
        private boolean staticMembership = false;
        private int transactionTimeoutMs = ServingSettings.TRANSACTION_TIMEOUT_MS.defaultValue();
        private String httpHost = null;
        private int httpPort = 0;
        private HttpOptions httpOptions = HttpOptions.NONE;
        private ChallengerRule challenger = ChallengerRule.OFF;

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

        /** Latency (default) or throughput: Kafka client properties under the overrides, and the default wait. */
        public Builder optProfile(ServingProfile profile) {
            this.profile = profile;
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

        /** The forward pass's number type ({@code --precision}); bfloat16 needs a maxBatch of 32 or more. */
        public Builder optPrecision(InferencePrecision precision) {
            this.precision = Objects.requireNonNull(precision, "precision");
            return this;
        }

        /** Serves only manifests signed for {@code verifyKey} (Ed25519); null: no check. */
        public Builder optVerifyKey(PublicKey verifyKey) {
            this.verifyKey = verifyKey;
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

        /** Kafka transactions per micro-batch (exactly-once) instead of at-least-once; default false. */
        public Builder optExactlyOnce(boolean exactlyOnce) {
            this.exactlyOnce = exactlyOnce;
            return this;
        }

        /** Prefix of the transactional id; default {@code streamlearn-serving}. */
        public Builder optTransactionalIdPrefix(String transactionalIdPrefix) {
            this.transactionalIdPrefix = transactionalIdPrefix;
            return this;
        }

        /** This instance's id in its group (default: random); a stable one (the pod name) lets a restart fence
         * its predecessor's open transaction at once. */
        public Builder optInstanceId(String instanceId) {
            this.instanceId = instanceId;
            this.instanceIdGiven = true;
            return this;
        }

        /** Joins the request group as a static member under the instance id ({@code group.instance.id}): a
         * replacement with the same id takes over a crashed instance's partitions at once, without a rebalance.
         * Needs {@link #optInstanceId}. A graceful close still leaves the group, so a scale-in moves them at once. */
        public Builder optStaticMembership(boolean staticMembership) {
            this.staticMembership = staticMembership;
            return this;
        }

        /** {@code transaction.timeout.ms} of the request producer; default 60000, at most 900000. */
        public Builder optTransactionTimeoutMs(int transactionTimeoutMs) {
            this.transactionTimeoutMs = transactionTimeoutMs;
            return this;
        }

        /**
         * Enables the HTTP endpoint on {@code host:port} ({@code port} 0 binds a free port); disabled by default.
         * Use 127.0.0.1 unless the endpoint must be reachable from other hosts.
         */
        public Builder optHttpAddress(String host, int port) {
            this.httpHost = host;
            this.httpPort = port;
            return this;
        }

        /** Bearer token, TLS and open health for the HTTP endpoint; default (and null) {@link HttpOptions#NONE}. */
        public Builder optHttpOptions(HttpOptions httpOptions) {
            this.httpOptions = httpOptions == null ? HttpOptions.NONE : httpOptions;
            return this;
        }

        /** Whether new versions run as challengers first; default (and null) {@link ChallengerRule#OFF}. */
        public Builder optChallenger(ChallengerRule challenger) {
            this.challenger = challenger == null ? ChallengerRule.OFF : challenger;
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
            require(p, bootstrapServers != null && !bootstrapServers.isBlank(),
                    "bootstrap servers are required: call setBootstrapServers(\"host:port\")");
            String modelProblem = model == null ? "is required" : ServingSettings.MODEL.validator().problem(model);
            require(p, modelProblem == null, "model name '" + model + "' " + modelProblem + ": call setModel(name)");
            require(p, storeRoot != null, "snapshot store root is required: call setStoreRoot(path)");
            require(p, topics != null, "topics must not be null: omit optTopics for the defaults");
            check(p, "groupId", groupId, ServingSettings.GROUP_ID.validator());
            check(p, "maxBatch", maxBatch, ServingSettings.MAX_BATCH.validator());
            check(p, "profile", profile, ServingSettings.PROFILE.validator());
            checkIfSet(p, "maxWaitMicros", maxWaitMicros, ServingSettings.MAX_WAIT_MICROS.validator());
            check(p, "topK", topK, ServingSettings.TOP_K.validator());
            require(p, precision != InferencePrecision.BFLOAT16 || maxBatch >= LoadedModel.BF16_MIN_ROWS,
                    "precision bfloat16 runs batches of " + LoadedModel.BF16_MIN_ROWS + " rows or more, and maxBatch "
                            + "is " + maxBatch + ": raise --max-batch or use --precision float32");
            check(p, "pinVersion", pinVersion, ServingSettings.PIN_VERSION.validator());
            require(p, clock != null, "clock must not be null: omit optClock for the system clock");
            check(p, "transactionalIdPrefix", transactionalIdPrefix,
                    ServingSettings.TRANSACTIONAL_ID_PREFIX.validator());
            check(p, "instanceId", instanceId, ServingSettings.INSTANCE_ID.validator());
            check(p, "transactionTimeoutMs", transactionTimeoutMs, ServingSettings.TRANSACTION_TIMEOUT_MS.validator());
            require(p, httpHost == null || !httpHost.isBlank(),
                    "HTTP host is blank: pass an address such as 127.0.0.1, or do not call optHttpAddress");
            check(p, "HTTP port", httpPort, Validator.between(0, 65_535).because("0 binds a free port"));
            instanceIdModes(p, kafkaOverrides, staticMembership, instanceIdGiven, exactlyOnce);
            return p;
        }
    }
}
