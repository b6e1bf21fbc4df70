package io.streamlearn.app;

import io.streamlearn.core.config.CommonSettings;
import io.streamlearn.core.config.KafkaSettings;
import io.streamlearn.core.config.Setting;
import io.streamlearn.core.config.SettingsDef;
import io.streamlearn.core.config.Type;
import io.streamlearn.core.config.Validator;
import io.streamlearn.ingest.produce.ExampleProducer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The settings of {@code streamlearn ingest}: source, schema, CSV columns, generators, producing, operators. */
public final class IngestSettings {
    public static final Setting<String> SOURCE = Setting.of("source", Type.STRING).withLabel("KIND:PATH-or-NAME")
            .withDefault("synthetic:classification")
            .withDoc("idx:PATH|fashion-mnist/train|fashion-mnist/t10k, csv:PATH, jsonl:PATH, "
                    + "synthetic:classification|hyperplane|sea|rbf|fashion-drift.");
    // Schema
    public static final Setting<String> SPEC = CommonSettings.SPEC
            .withDoc("Validate against this model spec's input (a ready spec name or a spec file).");
    public static final Setting<Integer> FEATURE_COUNT = Setting.of("feature-count", Type.INT)
            .withValidator(Validator.atLeast(1))
            .withDoc("Schema: features per example (overrides the spec; also the generators' width).");
    public static final Setting<Integer> CLASSES = Setting.of("classes", Type.INT).withValidator(Validator.atLeast(1))
            .withDoc("Schema: labels must be 0..N-1 (also the generators').");
    public static final Setting<String> DTYPE = Setting.of("dtype", Type.STRING).withLabel("uint8|float32")
            .withValidator(Validator.oneOf("uint8", "float32")).withDoc("Schema: required feature dtype.");
    public static final Setting<Integer> MAX_RECORD_BYTES = Setting.of("max-record-bytes", Type.INT)
            .withValidator(Validator.atLeast(1)).withDoc("Schema: largest record accepted (default 1048576).");
    // CSV
    public static final Setting<String> LABEL = Setting.of("label", Type.STRING).withLabel("COLUMN")
            .withDoc("csv: the label column.");
    public static final Setting<String> TARGET = Setting.of("target", Type.STRING).withLabel("COLUMN")
            .withDoc("csv: a regression model's target column (numbers), instead of --label.");
    public static final Setting<String> FEATURES = Setting.of("features", Type.STRING)
            .withLabel("COLUMNS|all-but-label").withDefault("all-but-label")
            .withDoc("csv: comma-separated feature columns (all-but-label: every column but the label, target and "
                    + "id).");
    public static final Setting<String> ID = Setting.of("id", Type.STRING).withLabel("COLUMN")
            .withDoc("csv: the id column (default: FILE-LINE).");
    public static final Setting<Path> LABEL_MAP = Setting.of("label-map", Type.PATH).withLabel("FILE")
            .withDoc("csv: records a categorical label's classes (written once, then reused).");
    // Generators
    public static final Setting<Double> CLASS_SEP = Setting.of("class-sep", Type.DOUBLE).withDefault(2.0)
            .withDoc("classification: class separation.");
    public static final Setting<Long> DRIFT_AT = Setting.of("drift-at", Type.LONG).withDefault(30_000L)
            .withValidator(Validator.atLeast(0L)).withDoc("fashion-drift: first changed example.");
    public static final Setting<String> DRIFT = Setting.of("drift", Type.STRING).withLabel("permute|rotate")
            .withDefault("permute").withValidator(Validator.oneOf("permute", "rotate"))
            .withDoc("fashion-drift: what changes.");
    public static final Setting<Double> DRIFT_SPEED = Setting.of("drift-speed", Type.DOUBLE).withDefault(0.001)
            .withDoc("hyperplane: weight change per example; rbf: centroid speed.");
    public static final Setting<Long> CONCEPT_LENGTH = Setting.of("concept-length", Type.LONG).withDefault(10_000L)
            .withValidator(Validator.atLeast(1L)).withDoc("sea: examples per concept.");
    public static final Setting<Double> NOISE = Setting.of("noise", Type.DOUBLE)
            .withValidator(Validator.between(0.0, 1.0)).withDoc("hyperplane (0.05), sea (0.1): label noise.");
    public static final Setting<Integer> CENTROIDS = Setting.of("centroids", Type.INT).withDefault(50)
            .withValidator(Validator.atLeast(1)).withDoc("rbf: number of centroids.");
    public static final Setting<String> DATA = Setting.of("data", Type.STRING).withLabel("IDX")
            .withDefault("fashion-mnist/train").withDoc("fashion-drift: the IDX set, as idx: takes it.");
    // Producing
    public static final Setting<String> TOPIC = Setting.of("topic", Type.STRING)
            .withDoc("Topic to write (default: the examples topic).");
    public static final Setting<String> DLQ_TOPIC = Setting.of("dlq-topic", Type.STRING)
            .withDoc("Dead-letter topic (default: the examples.dlq topic).");
    public static final Setting<ExampleProducer.Format> FORMAT = Setting.of("format",
                    Type.simple(formats(), s -> ExampleProducer.Format.valueOf(s.trim().toUpperCase(Locale.ROOT))))
            .withDefault(ExampleProducer.Format.BINARY).withDoc("Wire format: " + formats().replace('|', ',') + ".");
    public static final Setting<String> COMPRESSION = Setting.of("compression", Type.STRING)
            .withLabel("none|gzip|snappy|lz4|zstd").withDefault("lz4")
            .withValidator(Validator.oneOf("none", "gzip", "snappy", "lz4", "zstd"))
            .withDoc("Producer compression.type; -X compression.type wins.");
    public static final Setting<Long> LIMIT = Setting.of("limit", Type.LONG).withValidator(Validator.atLeast(0L))
            .withDoc("Records to read at most (default: all of a file; 10000 of a generator; 0 = no limit).");
    public static final Setting<Integer> EPOCHS = Setting.of("epochs", Type.INT).withDefault(1)
            .withValidator(Validator.atLeast(1)).withDoc("Passes over the source.");
    public static final Setting<Long> SHUFFLE = Setting.of("shuffle", Type.LONG).withLabel("SEED")
            .withDoc("Shuffle each epoch (in memory) with this seed.");
    public static final Setting<Double> RATE = Setting.of("rate", Type.DOUBLE).withLabel("PER-SECOND")
            .withDefault(0.0).withValidator(Validator.atLeast(0.0))
            .withDoc("Records per second; 0 = as fast as possible.");
    public static final Setting<Duration> TIMEOUT = Setting.of("timeout", Type.DURATION)
            .withDefault(Duration.ofSeconds(30)).withDoc("Give up when the broker does not answer for this long.");
    // Operators
    public static final Setting<String> PROGRESS = Setting.of("progress", Type.STRING).withLabel("auto|bar|lines|off")
            .withDefault("auto").withValidator(Validator.oneOf("auto", "bar", "lines", "off"))
            .withDoc("Progress display: a bar on a terminal, plain lines otherwise.");

    /** Every setting of {@code streamlearn ingest}, in the order help shows them. */
    public static final SettingsDef DEF = SettingsDef.of("ingest", SOURCE, SPEC, FEATURE_COUNT, CLASSES, DTYPE,
            MAX_RECORD_BYTES, LABEL, TARGET, FEATURES, ID, LABEL_MAP, CommonSettings.SEED, CLASS_SEP, DRIFT_AT, DRIFT,
            DRIFT_SPEED, CONCEPT_LENGTH, NOISE, CENTROIDS, DATA, TOPIC, DLQ_TOPIC, FORMAT, COMPRESSION, LIMIT, EPOCHS,
            SHUFFLE, RATE, TIMEOUT, CommonSettings.METRICS_PORT,
            CommonSettings.METRICS_ADDRESS, PROGRESS, KafkaSettings.DEF);

    private IngestSettings() {}

    private static String formats() {
        return Arrays.stream(ExampleProducer.Format.values()).map(Enum::name).collect(Collectors.joining("|"));
    }
}
