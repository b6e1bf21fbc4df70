package io.streamlearn.app;

import io.prometheus.client.CollectorRegistry;
import io.streamlearn.monitor.metrics.JvmMetrics;
import io.prometheus.client.exporter.HTTPServer;
import io.streamlearn.core.example.ExampleSchema;
import io.streamlearn.core.example.FeatureType;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.ingest.produce.ExampleProducer;
import io.streamlearn.ingest.produce.IngestCounts;
import io.streamlearn.ingest.produce.IngestException;
import io.streamlearn.ingest.produce.Ingestor;
import io.streamlearn.ingest.report.IngestMetrics;
import io.streamlearn.ingest.report.ProgressReporter;
import io.streamlearn.ingest.report.Summary;
import io.streamlearn.ingest.source.FashionDrift;
import io.streamlearn.ingest.source.SourceDefinition;
import io.streamlearn.ingest.source.SourceException;
import io.streamlearn.ingest.source.SourceOptions;
import io.streamlearn.ingest.source.Sources;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code streamlearn ingest}: validates examples from a source and puts them onto the examples topic. */
@Command(name = "ingest", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Validate examples from a source and produce them onto the examples topic; rejected records "
                + "go to the dead-letter topic with their reason.",
                "Exit status: 0 done, 1 bad arguments, 3 the source cannot be read, 4 the broker cannot be reached "
                        + "or refused records. See docs/ingest.md."})
public final class IngestCommand implements Callable<Integer> {
    /** Exit status when the source cannot be read. */
    public static final int EXIT_SOURCE = 3;
    /** Exit status when the broker cannot be reached or refuses records. */
    public static final int EXIT_BROKER = 4;
    static final long DEFAULT_SYNTHETIC_LIMIT = 10_000;

    @Spec
    CommandSpec spec;

    @Option(names = "--source", defaultValue = "synthetic:classification", paramLabel = "KIND:PATH-or-NAME",
            description = "idx:PATH|fashion-mnist/train|fashion-mnist/t10k, csv:PATH, jsonl:PATH, "
                    + "synthetic:classification|hyperplane|sea|rbf|fashion-drift.")
    String source;

    // Schema
    @Option(names = "--spec", paramLabel = "NAME|FILE",
            description = "Validate against this model spec's input (a ready spec name or a spec file).")
    String specName;

    @Option(names = "--feature-count", paramLabel = "N",
            description = "Schema: features per example (overrides the spec; also the generators' width).")
    Integer featureCount;

    @Option(names = "--classes", paramLabel = "N", description = "Schema: labels must be 0..N-1 (also the generators').")
    Integer classes;

    @Option(names = "--dtype", paramLabel = "uint8|float32", description = "Schema: required feature dtype.")
    String dtype;

    @Option(names = "--max-record-bytes", paramLabel = "N",
            description = "Schema: largest record accepted (default 1048576).")
    Integer maxRecordBytes;

    // CSV
    @Option(names = "--label", paramLabel = "COLUMN", description = "csv: the label column.")
    String label;

    @Option(names = "--features", paramLabel = "COLUMNS|all-but-label", defaultValue = "all-but-label",
            description = "csv: comma-separated feature columns (default: ${DEFAULT-VALUE}, i.e. every column but "
                    + "the label and id).")
    String features;

    @Option(names = "--id", paramLabel = "COLUMN", description = "csv: the id column (default: FILE-LINE).")
    String id;

    @Option(names = "--label-map", paramLabel = "FILE",
            description = "csv: records a categorical label's classes (written once, then reused).")
    Path labelMap;

    // Generators
    @Option(names = "--seed", defaultValue = "42", description = "Seed of the generators.")
    long seed;

    @Option(names = "--class-sep", defaultValue = "2.0", description = "classification: class separation.")
    double classSep;

    @Option(names = "--drift-at", defaultValue = "30000", description = "fashion-drift: first changed example.")
    long driftAt;

    @Option(names = "--drift", defaultValue = "permute", paramLabel = "permute|rotate",
            description = "fashion-drift: what changes.")
    String drift;

    @Option(names = "--drift-speed", defaultValue = "0.001",
            description = "hyperplane: weight change per example; rbf: centroid speed.")
    double driftSpeed;

    @Option(names = "--concept-length", defaultValue = "10000", description = "sea: examples per concept.")
    long conceptLength;

    @Option(names = "--noise", description = "hyperplane (0.05), sea (0.1): label noise.")
    Double noise;

    @Option(names = "--centroids", defaultValue = "50", description = "rbf: number of centroids.")
    int centroids;

    @Option(names = "--data", defaultValue = "fashion-mnist/train", paramLabel = "IDX",
            description = "fashion-drift: the IDX set, as idx: takes it.")
    String data;

    // Producing
    @Option(names = "--topic", description = "Topic to write (default: the examples topic).")
    String topic;

    @Option(names = "--dlq-topic", description = "Dead-letter topic (default: the examples.dlq topic).")
    String dlqTopic;

    @Option(names = "--format", defaultValue = "BINARY", description = "Wire format: ${COMPLETION-CANDIDATES}.")
    ExampleProducer.Format format;

    @Option(names = "--compression", defaultValue = "lz4", paramLabel = "none|gzip|snappy|lz4|zstd",
            description = "Producer compression.type; -X compression.type wins.")
    String compression;

    @Option(names = "--limit", paramLabel = "N",
            description = "Records to read at most (default: all of a file; 10000 of a generator; 0 = no limit).")
    Long limit;

    @Option(names = "--epochs", defaultValue = "1", description = "Passes over the source.")
    int epochs;

    @Option(names = "--shuffle", paramLabel = "SEED", description = "Shuffle each epoch (in memory) with this seed.")
    Long shuffle;

    @Option(names = "--rate", defaultValue = "0", description = "Records per second; 0 = as fast as possible.")
    double rate;

    @Option(names = "--timeout", defaultValue = "30s", paramLabel = "DURATION",
            description = "Give up when the broker does not answer for this long.")
    String timeout;

    // Operators
    @Option(names = "--metrics-port", defaultValue = "0",
            description = "Serve Prometheus metrics on this port (default: off).")
    int metricsPort;

    @Option(names = "--progress", defaultValue = "auto", paramLabel = "auto|bar|lines|off",
            description = "Progress display: a bar on a terminal, plain lines otherwise.")
    String progress;

    @Mixin
    KafkaOptions kafka;

    @Override
    public Integer call() {
        java.io.PrintWriter out = spec.commandLine().getOut();
        PrintStream err = System.err;
        SourceDefinition definition;
        ModelSpec model = specName == null ? null : SpecResolver.resolve(specName);
        try {
            definition = Sources.resolve(source, sourceOptions(model));
        } catch (SourceException e) {
            spec.commandLine().getErr().println("streamlearn ingest: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return EXIT_SOURCE;
        }
        ExampleSchema schema = schema(model, definition);
        String target = topic == null ? kafka.topics().examples() : topic;
        String dlq = dlqTopic == null ? kafka.topics().examplesDlq() : dlqTopic;
        Map<String, String> config = new LinkedHashMap<>();
        config.put("compression.type", compression);
        config.putAll(kafka.overrides());
        CollectorRegistry registry = new CollectorRegistry();
        try (IngestMetrics metrics = new IngestMetrics(registry); HTTPServer server = metricsServer(registry)) {
            Ingestor ingestor = Ingestor.builder().setBootstrapServers(kafka.bootstrapServers).setSource(definition)
                    .setSchema(schema).setTopic(target).setDeadLetterTopic(dlq).optFormat(format)
                    .optKafkaConfig(config).optRatePerSecond(rate).optLimit(effectiveLimit())
                    .optEpochs(epochs).optShuffleSeed(shuffle).optTimeout(Durations.parse(timeout))
                    .optObserver(metrics).build();
            if (server != null) {
                err.println("ingest: metrics on http://0.0.0.0:" + server.getPort() + "/metrics");
            }
            CountDownLatch finished = new CountDownLatch(1);
            Thread hook = new Thread(() -> {
                ingestor.stop();
                try {
                    finished.await(Durations.parse(timeout).toSeconds() + 10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "ingest-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            IngestCounts done;
            try (ProgressReporter reporter = reporter(ingestor, err, metrics)) {
                done = ingestor.run();
            } catch (IngestException e) {
                err.print(Summary.format(definition.description(), target, dlq, ingestor.counts(), null));
                spec.commandLine().getErr().println("streamlearn ingest: " + e.getMessage());
                spec.commandLine().getErr().flush();
                return EXIT_BROKER;
            } catch (SourceException e) {
                err.print(Summary.format(definition.description(), target, dlq, ingestor.counts(), null));
                spec.commandLine().getErr().println("streamlearn ingest: " + e.getMessage());
                spec.commandLine().getErr().flush();
                return EXIT_SOURCE;
            } finally {
                finished.countDown();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // The JVM is already exiting (Ctrl-C): the hook is running and waits for us.
                }
            }
            out.print(Summary.format(definition.description(), target, dlq, done, definition.labelClasses()));
            if (labelMap != null && definition.labelClasses() != null) {
                out.println("  label map " + labelMap);
            }
            out.flush();
            return 0;
        }
    }

    private long effectiveLimit() {
        if (limit != null) {
            return limit == 0 ? Long.MAX_VALUE : limit;
        }
        return source.startsWith("synthetic:") && !source.equals("synthetic:fashion-drift")
                ? DEFAULT_SYNTHETIC_LIMIT : Long.MAX_VALUE;
    }

    private SourceOptions sourceOptions(ModelSpec model) {
        SourceOptions.Builder b = SourceOptions.builder().optLabelColumn(label).optIdColumn(id).optLabelMap(labelMap)
                .optSeed(seed).optClassSep(classSep).optDriftAt(driftAt).optDriftSpeed(driftSpeed)
                .optConceptLength(conceptLength).optCentroids(centroids).optIdxData(data)
                .optDriftKind(driftKind());
        if (features != null && !features.equals("all-but-label")) {
            b.optFeatureColumns(List.of(features.split("\\s*,\\s*")));
        }
        Integer width = featureCount != null ? featureCount : model == null ? null : model.schema().featureCount();
        Integer k = classes != null ? classes : model == null ? null : model.schema().classes();
        if (width != null) {
            b.optFeatureCount(width);
        }
        if (k != null) {
            b.optClasses(k);
        }
        if (noise != null) {
            b.optNoise(noise);
        }
        return b.build();
    }

    private FashionDrift.Kind driftKind() {
        return switch (drift) {
            case "permute" -> FashionDrift.Kind.PERMUTE;
            case "rotate" -> FashionDrift.Kind.ROTATE;
            default -> throw new IllegalArgumentException("--drift '" + drift + "' must be permute or rotate");
        };
    }

    /** The declared schema: the spec's, else the source's own, with each explicit flag winning. */
    ExampleSchema schema(ModelSpec model, SourceDefinition definition) {
        ExampleSchema base = model != null ? model.schema() : definition.schemaHint();
        Integer f = featureCount != null ? featureCount : base == null ? null : base.featureCount();
        Integer k = classes != null ? classes : base == null ? null : base.classes();
        if (f == null || k == null) {
            throw new IllegalArgumentException("source " + source + " does not say what a valid example looks like: "
                    + "pass --spec NAME|FILE, or --feature-count N and --classes N");
        }
        FeatureType t = dtype != null ? parseDtype(dtype) : base == null ? FeatureType.FLOAT32 : base.dtype();
        int max = maxRecordBytes != null ? maxRecordBytes
                : base == null ? ExampleSchema.DEFAULT_MAX_RECORD_BYTES : base.maxRecordBytes();
        return new ExampleSchema(f, t, k, max);
    }

    private static FeatureType parseDtype(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "uint8" -> FeatureType.UINT8;
            case "float32" -> FeatureType.FLOAT32;
            default -> throw new IllegalArgumentException("--dtype '" + s + "' must be uint8 or float32");
        };
    }

    private HTTPServer metricsServer(CollectorRegistry registry) {
        if (metricsPort <= 0) {
            return null;
        }
        try {
            JvmMetrics.register(registry);
            return new HTTPServer(new InetSocketAddress(metricsPort), registry, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve metrics on port " + metricsPort + " (--metrics-port): "
                    + e.getMessage(), e);
        }
    }

    private ProgressReporter reporter(Ingestor ingestor, PrintStream err, IngestMetrics metrics) {
        boolean terminal = switch (progress) {
            case "auto" -> ProgressReporter.isTerminal();
            case "bar" -> true;
            case "lines", "off" -> false;
            default -> throw new IllegalArgumentException("--progress '" + progress + "' must be auto, bar, lines "
                    + "or off");
        };
        if (progress.equals("off")) {
            return new ProgressReporter(ingestor::counts, new PrintStream(PrintStream.nullOutputStream()), false,
                    Duration.ofSeconds(1), metrics::setRate);
        }
        return new ProgressReporter(ingestor::counts, err, terminal,
                terminal ? Duration.ofMillis(200) : Duration.ofSeconds(5), metrics::setRate);
    }
}
