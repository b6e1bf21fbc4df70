package io.streamlearn.app;

import io.streamlearn.core.config.CommonSettings;
import io.streamlearn.core.config.Setting;
import io.streamlearn.core.config.SettingsDef;
import io.streamlearn.core.config.Type;
import io.streamlearn.core.config.Validator;
import io.streamlearn.trainer.job.TrainerSettings;
import java.nio.file.Path;
import java.time.Duration;

/** The settings of {@code streamlearn demo}; those it shares with ingest and train keep their names and units. */
public final class DemoSettings {
    public static final Setting<Duration> DURATION = Setting.of("duration", Type.DURATION)
            .withDefault(Duration.ofSeconds(90)).withDoc("How long the stream runs once the loop is up (90s, 2m, "
                    + "PT90S; a bare number is seconds); --drift-after counts from the same start.");
    public static final Setting<Path> DATA = Setting.of("data", Type.PATH).withLabel("DIR")
            .withDefault(Path.of("/usr/share/datasets/fashion-mnist"))
            .withDoc("Fashion-MNIST directory; if absent, a synthetic stream.");
    public static final Setting<Boolean> SYNTHETIC = Setting.flag("synthetic",
            "Use the synthetic stream even when Fashion-MNIST is installed.");
    public static final Setting<String> SPEC = CommonSettings.SPEC.withDoc("Spec file or ready spec name (default: "
            + "mlp for Fashion-MNIST, a small MLP for the synthetic stream).");
    public static final Setting<String> DRIFT_AFTER = Setting.of("drift-after", Type.STRING)
            .withLabel("DURATION|never").withDefault("60s")
            .withValidator(Validator.keywordOr("never", Type::parseDuration,
                    e -> "must be 'never' or a duration like 60s, 2m or PT60S"))
            .withDoc("When the concept changes (labels permuted); 'never' for no change.");
    public static final Setting<Double> RATE = Setting.of("rate", Type.DOUBLE).withLabel("PER-SECOND")
            .withDefault(4_000.0).withValidator(Validator.atLeast(1.0)).withDoc("Examples per second on the stream.");
    public static final Setting<Double> REQUEST_RATE = Setting.of("request-rate", Type.DOUBLE).withLabel("PER-SECOND")
            .withDefault(200.0).withValidator(Validator.atLeast(0.0))
            .withDoc("Of those, prediction requests per second.");
    public static final Setting<Integer> FEATURE_COUNT = IngestSettings.FEATURE_COUNT.withDefault(20)
            .withDoc("Features per example of the synthetic stream.");
    public static final Setting<Integer> CLASSES = IngestSettings.CLASSES.withDefault(4)
            .withDoc("Classes of the synthetic stream.");
    public static final Setting<Double> CLASS_SEP = IngestSettings.CLASS_SEP.withDefault(3.0)
            .withDoc("Separation of the synthetic classes; 3 is separable.");
    public static final Setting<Long> SEED = CommonSettings.SEED
            .withDoc("Seed of the stream, the concept change and the model.");
    public static final Setting<Long> CHECKPOINT_INTERVAL_MS = TrainerSettings.CHECKPOINT_INTERVAL_MS
            .withDefault(2_000L);
    public static final Setting<Path> STORE = CommonSettings.STORE.withDefault(null)
            .withDoc("Snapshot store directory (default: a temporary one, deleted at exit).");
    public static final Setting<String> REPORT = Setting.of("report", Type.STRING).withLabel("DIR|none")
            .withDefault("streamlearn-report")
            .withDoc("Directory of the learning-curve report written at the end; 'none' for no report.");

    /** Every setting of {@code streamlearn demo}. */
    public static final SettingsDef DEF = SettingsDef.of("demo", DURATION, DATA, SYNTHETIC, SPEC, DRIFT_AFTER, RATE,
            REQUEST_RATE, FEATURE_COUNT, CLASSES, CLASS_SEP, SEED, CommonSettings.DEVICE, CHECKPOINT_INTERVAL_MS, STORE,
            REPORT);

    private DemoSettings() {}
}
