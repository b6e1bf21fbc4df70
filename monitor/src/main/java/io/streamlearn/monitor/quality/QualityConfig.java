package io.streamlearn.monitor.quality;

import io.streamlearn.core.drift.DriftDetector;
import io.streamlearn.core.kafka.Topics;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Settings of the {@link ServedQualityMonitor}.
 *
 * <pre>{@code
 * QualityConfig config = QualityConfig.builder().setBootstrapServers("127.0.0.1:9092")
 *         .optWindow(Duration.ofMinutes(10)).optDriftDetector("adwin:delta=0.002").build();
 * }</pre>
 */
public final class QualityConfig {
    private final String bootstrapServers;
    private final Topics topics;
    private final Duration window;
    private final int accuracyWindow;
    private final int maxPending;
    private final String driftDetector;
    private final boolean fromBeginning;
    private final Clock clock;
    private final Map<String, String> kafkaOverrides;
    private final PromotionRules rules;
    private final Path store;
    private final PrivateKey signingKey;

    private QualityConfig(Builder b) {
        this.bootstrapServers = b.bootstrapServers;
        this.topics = b.topics;
        this.window = b.window;
        this.accuracyWindow = b.accuracyWindow;
        this.maxPending = b.maxPending;
        this.driftDetector = b.driftDetector;
        this.fromBeginning = b.fromBeginning;
        this.clock = b.clock;
        this.kafkaOverrides = Map.copyOf(b.kafkaOverrides);
        this.rules = b.rules;
        this.store = b.store;
        this.signingKey = b.signingKey;
    }

    public static Builder builder() {
        return new Builder();
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public Topics topics() {
        return topics;
    }

    /** How long a prediction waits for its label (and a label for its prediction). */
    public Duration window() {
        return window;
    }

    /** Labeled predictions per version that {@code streamlearn_served_accuracy} is computed over. */
    public int accuracyWindow() {
        return accuracyWindow;
    }

    /** Most predictions (and labels) waiting at once; the oldest are expired beyond it. */
    public int maxPending() {
        return maxPending;
    }

    /** The drift detector spec ({@link DriftDetector#parse(String)}) run on served error per model, or null for none. */
    public String driftDetector() {
        return driftDetector;
    }

    /** Read both topics from their beginning instead of their end (replays, tests). */
    public boolean fromBeginning() {
        return fromBeginning;
    }

    public Clock clock() {
        return clock;
    }

    public Map<String, String> kafkaOverrides() {
        return kafkaOverrides;
    }

    /** Challenger promotion and automatic rollback; {@link PromotionRules#OFF} by default. */
    public PromotionRules rules() {
        return rules;
    }

    /** The snapshot store the promotions' manifests are read from, or null when no rule writes promotions. */
    public Path store() {
        return store;
    }

    /** The key promotions are signed with (as {@code models promote --signing-key-file} does), or null. */
    public PrivateKey signingKey() {
        return signingKey;
    }

    @Override
    public String toString() {
        return "QualityConfig{bootstrap=" + bootstrapServers + ", predictions=" + topics.predictions() + ", feedback="
                + topics.feedback() + ", window=" + window + ", accuracyWindow=" + accuracyWindow + ", drift="
                + (driftDetector == null ? "off" : driftDetector) + ", fromBeginning=" + fromBeginning + ", rules=" + rules
                + (store == null ? "" : ", store=" + store) + (signingKey == null ? "" : ", signed") + "}";
    }

    /** Builds a {@link QualityConfig}: the bootstrap servers are required, the rest optional. */
    public static final class Builder {
        private String bootstrapServers;
        private Topics topics = Topics.defaults();
        private Duration window = Duration.ofMinutes(10);
        private int accuracyWindow = 1000;
        private int maxPending = 1_000_000;
        private String driftDetector = "adwin";
        private boolean fromBeginning = false;
        private Clock clock = Clock.systemUTC();
        private Map<String, String> kafkaOverrides = new LinkedHashMap<>();
        private PromotionRules rules = PromotionRules.OFF;
        private Path store;
        private PrivateKey signingKey;

        private Builder() {}

        public Builder setBootstrapServers(String bootstrapServers) {
            this.bootstrapServers = bootstrapServers;
            return this;
        }

        public Builder optTopics(Topics topics) {
            this.topics = topics;
            return this;
        }

        /** Default 10 minutes. */
        public Builder optWindow(Duration window) {
            this.window = window;
            return this;
        }

        /** Default 1000. */
        public Builder optAccuracyWindow(int accuracyWindow) {
            this.accuracyWindow = accuracyWindow;
            return this;
        }

        /** Default 1,000,000. */
        public Builder optMaxPending(int maxPending) {
            this.maxPending = maxPending;
            return this;
        }

        /** Default {@code adwin}; null turns drift detection on served error off. */
        public Builder optDriftDetector(String driftDetector) {
            this.driftDetector = driftDetector;
            return this;
        }

        /** Default false: only predictions and labels produced after the start are joined. */
        public Builder optFromBeginning(boolean fromBeginning) {
            this.fromBeginning = fromBeginning;
            return this;
        }

        /** The clock of the window; default the system clock. */
        public Builder optClock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** Kafka client properties applied last (security settings and the like). */
        public Builder optKafkaOverrides(Map<String, String> kafkaOverrides) {
            this.kafkaOverrides = new LinkedHashMap<>(kafkaOverrides);
            return this;
        }

        /** Default {@link PromotionRules#OFF}: the monitor only measures. Rules that promote need {@link #optStore}. */
        public Builder optRules(PromotionRules rules) {
            this.rules = rules;
            return this;
        }

        /** The snapshot store whose manifests the monitor promotes; required when a rule is on. */
        public Builder optStore(Path store) {
            this.store = store;
            return this;
        }

        /** Sign the promotions' manifests, for serving's {@code --verify-key-file}; default unsigned. */
        public Builder optSigningKey(PrivateKey signingKey) {
            this.signingKey = signingKey;
            return this;
        }

        /** Checks every setting and builds the config; the exception lists every problem found. */
        public QualityConfig build() {
            List<String> p = new ArrayList<>();
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                p.add("bootstrap servers are required: call setBootstrapServers(\"host:9092\")");
            }
            if (rules == null) {
                p.add("promotion rules must not be null (PromotionRules.OFF for none)");
            } else if (rules.writesPromotions() && store == null) {
                p.add("promotion and rollback write manifests of the snapshot store: set the store (--store DIR) or "
                        + "turn both rules off");
            }
            if (topics == null || clock == null || kafkaOverrides == null) {
                p.add("topics, clock and Kafka overrides must not be null (leave them unset for the defaults)");
            }
            if (window == null || window.isNegative() || window.isZero()) {
                p.add("join window is " + window + ", must be positive (e.g. PT10M)");
            }
            if (accuracyWindow < 1) {
                p.add("accuracy window is " + accuracyWindow + ", must be >= 1");
            }
            if (maxPending < 1) {
                p.add("max pending is " + maxPending + ", must be >= 1");
            }
            if (driftDetector != null) {
                try {
                    DriftDetector.parse(driftDetector);
                } catch (IllegalArgumentException e) {
                    p.add(e.getMessage());
                }
            }
            if (!p.isEmpty()) {
                throw new IllegalArgumentException("invalid served-quality monitor config: " + String.join("; ", p));
            }
            return new QualityConfig(this);
        }
    }
}
