package io.streamlearn.app;

import io.prometheus.client.CollectorRegistry;
import io.streamlearn.core.config.CommonSettings;
import io.streamlearn.core.config.KafkaSettings;
import io.streamlearn.core.config.SettingValues;
import io.streamlearn.core.config.SettingsDef;
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
import io.streamlearn.monitor.metrics.MetricsServer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;

/** {@code streamlearn ingest}: validates examples from a source and puts them onto the examples topic. */
@Command(name = "ingest", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Validate examples from a source and produce them onto the examples topic; rejected records "
                + "go to the dead-letter topic with their reason.",
                "Exit status: 0 done, 1 bad arguments, 3 the source cannot be read, 4 the broker cannot be reached "
                        + "or refused records. See docs/ingest.md."})
public final class IngestCommand extends SettingsCommand {
    /** Exit status when the source cannot be read. */
    public static final int EXIT_SOURCE = 3;
    /** Exit status when the broker cannot be reached or refuses records. */
    public static final int EXIT_BROKER = 4;
    static final long DEFAULT_SYNTHETIC_LIMIT = 10_000;

    // Read from the settings at the start of call().
    private String source;
    private String specName;
    private Integer featureCount;
    private Integer classes;
    private String dtype;
    private Integer maxRecordBytes;
    private String label;
    private String targetColumn;
    private String features;
    private String id;
    private Path labelMap;
    private long seed;
    private double classSep;
    private long driftAt;
    private String drift;
    private double driftSpeed;
    private long conceptLength;
    private Double noise;
    private int centroids;
    private String data;
    private String topic;
    private String dlqTopic;
    private ExampleProducer.Format format;
    private String compression;
    private Long limit;
    private int epochs;
    private Long shuffle;
    private double rate;
    private Duration timeout;
    private int metricsPort;
    private String metricsAddress;
    private String progress;
    private SettingValues kafka;

    public IngestCommand() {
        super(IngestSettings.DEF);
    }

    private void read(SettingValues v) {
        source = v.get(IngestSettings.SOURCE);
        specName = v.get(IngestSettings.SPEC);
        featureCount = v.get(IngestSettings.FEATURE_COUNT);
        classes = v.get(IngestSettings.CLASSES);
        dtype = v.get(IngestSettings.DTYPE);
        maxRecordBytes = v.get(IngestSettings.MAX_RECORD_BYTES);
        label = v.get(IngestSettings.LABEL);
        targetColumn = v.get(IngestSettings.TARGET);
        features = v.get(IngestSettings.FEATURES);
        id = v.get(IngestSettings.ID);
        labelMap = v.get(IngestSettings.LABEL_MAP);
        seed = v.get(CommonSettings.SEED);
        classSep = v.get(IngestSettings.CLASS_SEP);
        driftAt = v.get(IngestSettings.DRIFT_AT);
        drift = v.get(IngestSettings.DRIFT);
        driftSpeed = v.get(IngestSettings.DRIFT_SPEED);
        conceptLength = v.get(IngestSettings.CONCEPT_LENGTH);
        noise = v.get(IngestSettings.NOISE);
        centroids = v.get(IngestSettings.CENTROIDS);
        data = v.get(IngestSettings.DATA);
        topic = v.get(IngestSettings.TOPIC);
        dlqTopic = v.get(IngestSettings.DLQ_TOPIC);
        format = v.get(IngestSettings.FORMAT);
        compression = v.get(IngestSettings.COMPRESSION);
        limit = v.get(IngestSettings.LIMIT);
        epochs = v.get(IngestSettings.EPOCHS);
        shuffle = v.get(IngestSettings.SHUFFLE);
        rate = v.get(IngestSettings.RATE);
        timeout = v.get(IngestSettings.TIMEOUT);
        metricsPort = v.get(CommonSettings.METRICS_PORT);
        metricsAddress = v.get(CommonSettings.METRICS_ADDRESS);
        progress = v.get(IngestSettings.PROGRESS);
        kafka = v;
    }

    @Override
    int run(SettingValues v) {
        read(v);
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
        String target = topic == null ? KafkaSettings.topics(kafka).examples() : topic;
        String dlq = dlqTopic == null ? KafkaSettings.topics(kafka).examplesDlq() : dlqTopic;
        Map<String, String> config = new LinkedHashMap<>();
        config.put("compression.type", compression);
        config.putAll(KafkaSettings.overrides(kafka));
        CollectorRegistry registry = new CollectorRegistry();
        try (IngestMetrics metrics = new IngestMetrics(registry); MetricsServer server = metricsServer(registry)) {
            Ingestor ingestor = Ingestor.builder().setBootstrapServers(kafka.get(KafkaSettings.BOOTSTRAP_SERVER))
                    .setSource(definition).setSchema(schema).setTopic(target).setDeadLetterTopic(dlq).optFormat(format)
                    .optKafkaConfig(config).optRatePerSecond(rate).optLimit(effectiveLimit())
                    .optEpochs(epochs).optShuffleSeed(shuffle).optTimeout(timeout)
                    .optObserver(metrics).build();
            if (server != null) {
                err.println("ingest: metrics on " + server.url());
            }
            CountDownLatch finished = new CountDownLatch(1);
            Thread hook = new Thread(() -> {
                ingestor.stop();
                try {
                    finished.await(timeout.toSeconds() + 10, TimeUnit.SECONDS);
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
        SourceOptions.Builder b = SourceOptions.builder().optLabelColumn(label).optTargetColumn(targetColumn).optIdColumn(id)
                .optLabelMap(labelMap)
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
        return new ExampleSchema(f, t, k, max, base == null ? 0 : base.targets());
    }

    private static FeatureType parseDtype(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "uint8" -> FeatureType.UINT8;
            case "float32" -> FeatureType.FLOAT32;
            default -> throw new IllegalArgumentException("--dtype '" + s + "' must be uint8 or float32");
        };
    }

    private MetricsServer metricsServer(CollectorRegistry registry) {
        if (metricsPort <= 0) {
            return null;
        }
        return MetricsServer.builder().setRegistry(registry).optAddress(metricsAddress, metricsPort)
                .optJvmMetrics(true).build();
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
