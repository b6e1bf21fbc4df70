package io.streamlearn.ingest.source;

import io.streamlearn.core.example.ExampleSchema;
import io.streamlearn.core.example.FeatureType;
import java.nio.file.Path;
import java.util.List;

/**
 * Resolves {@code KIND:PATH-or-NAME} to a {@link SourceDefinition}: {@code idx:}, {@code csv:},
 * {@code jsonl:}, {@code synthetic:classification|hyperplane|sea|rbf|fashion-drift}. The source is opened
 * once here, so an unreadable file fails before anything is sent.
 *
 * <pre>{@code
 * SourceDefinition d = Sources.resolve("idx:fashion-mnist/train", SourceOptions.defaults());
 * try (ExampleSource s = d.open()) { ... }
 * }</pre>
 */
public final class Sources {
    /** The kinds and generator names, for help texts and errors. */
    public static final String AVAILABLE = "idx:PATH|fashion-mnist/train|fashion-mnist/t10k, csv:PATH, jsonl:PATH, "
            + "synthetic:classification|hyperplane|sea|rbf|fashion-drift";

    /** Classes of the MNIST family, the schema hint of an IDX set (IDX files do not record it). */
    static final int IDX_CLASSES = 10;

    private Sources() {}

    /**
     * @throws IllegalArgumentException for an unknown kind or generator
     * @throws SourceException          when the source cannot be read
     */
    public static SourceDefinition resolve(String spec, SourceOptions o) {
        int colon = spec == null ? -1 : spec.indexOf(':');
        if (colon <= 0 || colon == spec.length() - 1) {
            throw new IllegalArgumentException("unknown --source '" + spec + "': expected KIND:PATH-or-NAME, one of "
                    + AVAILABLE);
        }
        String kind = spec.substring(0, colon);
        String name = spec.substring(colon + 1);
        return switch (kind) {
            case "idx" -> idx(spec, name);
            case "csv" -> csv(spec, Path.of(name), o);
            case "jsonl" -> {
                new JsonlSource(Path.of(name)).close();
                yield new SourceDefinition(spec, () -> new JsonlSource(Path.of(name)), null, null);
            }
            case "synthetic" -> synthetic(spec, name, o);
            default -> throw new IllegalArgumentException("unknown --source '" + spec + "': kind '" + kind
                    + "' is not one of idx, csv, jsonl, synthetic (" + AVAILABLE + ")");
        };
    }

    private static SourceDefinition idx(String spec, String name) {
        ExampleSchema hint;
        try (IdxSource s = IdxSource.open(name)) {
            hint = new ExampleSchema(s.featureCount(), FeatureType.UINT8, IDX_CLASSES,
                    ExampleSchema.DEFAULT_MAX_RECORD_BYTES);
        }
        return new SourceDefinition(spec, () -> IdxSource.open(name), hint, null);
    }

    private static SourceDefinition csv(String spec, Path file, SourceOptions o) {
        if (o.labelColumn() == null && o.targetColumn() == null) {
            throw new IllegalArgumentException("csv source " + file + " needs --label COLUMN (or --target COLUMN for "
                    + "a regression model)");
        }
        CsvSource.Columns cols = new CsvSource.Columns(o.labelColumn(), o.featureColumns(), o.idColumn(), o.labelMap(),
                o.targetColumn());
        ExampleSchema hint;
        List<String> classes;
        try (CsvSource s = new CsvSource(file, cols)) {
            hint = new ExampleSchema(s.featureCount(), FeatureType.FLOAT32, Math.max(1, s.classCountHint()),
                    ExampleSchema.DEFAULT_MAX_RECORD_BYTES, s.hasTarget() ? 1 : 0);
            classes = s.labelClasses();
        }
        return new SourceDefinition(spec, () -> new CsvSource(file, cols), hint, classes);
    }

    private static SourceDefinition synthetic(String spec, String name, SourceOptions o) {
        String prefix = name + "-" + o.seed() + "-";
        return switch (name) {
            case "classification" -> {
                int f = or(o.featureCount(), 20);
                int c = or(o.classes(), 4);
                yield generated(spec, f, c, () -> new SyntheticClassification(f, c, o.classSep(), o.seed(), o.length(),
                        prefix));
            }
            case "hyperplane" -> {
                int f = or(o.featureCount(), 10);
                double noise = o.noise() == null ? 0.05 : o.noise();
                yield generated(spec, f, 2, () -> new HyperplaneStream(f, Math.max(1, f / 2), o.driftSpeed(), noise,
                        o.seed(), o.length(), prefix));
            }
            case "sea" -> {
                double noise = o.noise() == null ? 0.1 : o.noise();
                yield generated(spec, 3, 2, () -> new SeaStream(o.conceptLength(), noise, o.seed(), o.length(), prefix));
            }
            case "rbf" -> {
                int f = or(o.featureCount(), 10);
                int c = or(o.classes(), 2);
                yield generated(spec, f, c, () -> new RbfStream(f, c, Math.max(o.centroids(), c), o.driftSpeed(),
                        o.seed(), o.length(), prefix));
            }
            case "fashion-drift" -> {
                SourceDefinition data = idx("idx:" + o.idxData(), o.idxData());
                int classes = or(o.classes(), IDX_CLASSES);
                yield new SourceDefinition(spec, () -> new FashionDrift(IdxSource.open(o.idxData()), o.driftAt(),
                        o.driftKind(), classes, o.seed()), data.schemaHint(), null);
            }
            default -> throw new IllegalArgumentException("unknown --source '" + spec + "': no generator '" + name
                    + "'; available: synthetic:classification|hyperplane|sea|rbf|fashion-drift");
        };
    }

    private static SourceDefinition generated(String spec, int features, int classes,
            java.util.function.Supplier<ExampleSource> opener) {
        opener.get().close();
        return new SourceDefinition(spec, opener, new ExampleSchema(features, FeatureType.FLOAT32, classes,
                ExampleSchema.DEFAULT_MAX_RECORD_BYTES), null);
    }

    private static int or(Integer v, int fallback) {
        return v == null ? fallback : v;
    }
}
