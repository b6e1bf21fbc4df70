package io.streamlearn.monitor.quality;

import io.streamlearn.core.config.CommonSettings;
import io.streamlearn.core.config.KafkaSettings;
import io.streamlearn.core.config.Setting;
import io.streamlearn.core.config.SettingValues;
import io.streamlearn.core.config.SettingsDef;
import io.streamlearn.core.config.Type;
import io.streamlearn.core.config.Validator;
import io.streamlearn.core.drift.DriftDetector;
import io.streamlearn.core.snapshot.ManifestSignature;
import java.nio.file.Path;
import java.time.Duration;

/** The settings of {@code streamlearn monitor}, each defined once; {@link #config} reads them. */
public final class MonitorSettings {
    /** Where Prometheus scrapes the monitor unless told otherwise (the compose file's port too). */
    public static final int DEFAULT_METRICS_PORT = 9404;

    public static final Setting<Duration> JOIN_WINDOW = Setting.of("join-window", Type.DURATION)
            .withDefault(Duration.ofMinutes(10))
            .withDoc("How long a prediction waits for its label and a label for its prediction (10m, PT10M).");
    public static final Setting<Integer> ACCURACY_WINDOW = Setting.of("accuracy-window", Type.INT).withDefault(1000)
            .withValidator(Validator.atLeast(1))
            .withDoc("Labeled predictions per version the served accuracy gauge is computed over.");
    public static final Setting<Integer> MAX_PENDING = Setting.of("max-pending", Type.INT).withDefault(1_000_000)
            .withValidator(Validator.atLeast(1))
            .withDoc("Most predictions (and labels) waiting at once; the oldest are counted expired beyond it.");
    public static final Setting<String> DRIFT_DETECTOR = Setting.of("drift-detector", Type.STRING)
            .withDefault("adwin").withValidator(Validator.keywordOr("none", DriftDetector::parse,
                    e -> "is not a detector: " + e.getMessage()))
            .withDoc("Detector of the served error per model: adwin[:delta=0.002], page-hinkley[:lambda=50,...] or "
                    + "none.");
    public static final Setting<Boolean> FROM_BEGINNING = Setting.flag("from-beginning",
            "Join the topics from their beginning (a replay) instead of from now.");
    public static final Setting<Boolean> PROMOTE = Setting.flag("promote",
            "Compare each challenger (serving --challenger shadow|canary) with the champion on the same "
                    + "labeled requests and promote it (a promotion on the models topic) or refuse it for good. "
                    + "Needs --store and write on the models topic. Default: only measure.");
    public static final Setting<Integer> PROMOTE_AFTER = Setting.of("promote-after", Type.INT).withLabel("N")
            .withDefault(1000).withValidator(Validator.atLeast(1))
            .withDoc("Labeled requests both models scored before a challenger is decided.");
    public static final Setting<Double> PROMOTE_MARGIN = Setting.of("promote-margin", Type.DOUBLE).withDefault(0.01)
            .withValidator(Validator.between(0.0, 1.0))
            .withDoc("Promote a challenger whose error rate exceeds the champion's by at most this; refuse it above.");
    public static final Setting<Boolean> ROLLBACK = Setting.flag("rollback",
            "Roll the champion back (promote the previous champion again) when it serves worse than the "
                    + "previous one by --rollback-margin. Needs --store and write on the models topic.");
    public static final Setting<Integer> ROLLBACK_AFTER = Setting.of("rollback-after", Type.INT).withLabel("N")
            .withDefault(1000).withValidator(Validator.atLeast(1))
            .withDoc("Labeled predictions of each version (its last ones) the rollback compares.");
    public static final Setting<Double> ROLLBACK_MARGIN = Setting.of("rollback-margin", Type.DOUBLE)
            .withDefault(0.05).withValidator(Validator.between(0.0, 1.0))
            .withDoc("Roll back when the champion's error rate exceeds the previous champion's by more than this.");
    public static final Setting<Integer> METRICS_PORT = CommonSettings.METRICS_PORT.withDefault(DEFAULT_METRICS_PORT);
    public static final Setting<Path> STORE = CommonSettings.STORE
            .withDoc("Snapshot store whose manifests --promote and --rollback announce.");

    /** Every setting of {@code streamlearn monitor}. */
    public static final SettingsDef DEF = SettingsDef.of("monitor", JOIN_WINDOW, ACCURACY_WINDOW, MAX_PENDING,
            DRIFT_DETECTOR, FROM_BEGINNING, PROMOTE, PROMOTE_AFTER, PROMOTE_MARGIN, ROLLBACK, ROLLBACK_AFTER,
            ROLLBACK_MARGIN, STORE, CommonSettings.SIGNING_KEY_FILE, METRICS_PORT, CommonSettings.METRICS_ADDRESS,
            KafkaSettings.DEF);

    private MonitorSettings() {}

    /** The monitor's config from {@code v}: the one mapping from these settings to {@link QualityConfig}. */
    public static QualityConfig config(SettingValues v) {
        String detector = v.get(DRIFT_DETECTOR);
        QualityConfig.Builder b = QualityConfig.builder().setBootstrapServers(v.get(KafkaSettings.BOOTSTRAP_SERVER))
                .optTopics(KafkaSettings.topics(v)).optKafkaOverrides(KafkaSettings.overrides(v))
                .optWindow(v.get(JOIN_WINDOW)).optAccuracyWindow(v.get(ACCURACY_WINDOW))
                .optMaxPending(v.get(MAX_PENDING)).optDriftDetector(detector.equalsIgnoreCase("none") ? null : detector)
                .optFromBeginning(v.flag(FROM_BEGINNING))
                .optRules(new PromotionRules(v.flag(PROMOTE), v.get(PROMOTE_AFTER), v.get(PROMOTE_MARGIN),
                        v.flag(ROLLBACK), v.get(ROLLBACK_AFTER), v.get(ROLLBACK_MARGIN)))
                .optStore(v.get(STORE).toAbsolutePath());
        if (v.isSet(CommonSettings.SIGNING_KEY_FILE)) {
            b.optSigningKey(ManifestSignature.privateKey(v.get(CommonSettings.SIGNING_KEY_FILE)));
        }
        return b.build();
    }
}
