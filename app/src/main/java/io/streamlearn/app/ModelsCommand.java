package io.streamlearn.app;

import io.streamlearn.core.config.CommonSettings;
import io.streamlearn.core.config.KafkaSettings;
import io.streamlearn.core.config.SettingValues;
import io.streamlearn.core.config.SettingsDef;
import io.streamlearn.core.example.Json;
import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.kafka.Topics;
import io.streamlearn.core.snapshot.ManifestSignature;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.SnapshotStore;
import io.streamlearn.core.snapshot.ModelPromotion;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code streamlearn models list|show|promote}: a model's snapshot history, one manifest, and rollback. */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = "See a model's published versions and roll serving back (or forward) to one of them.",
        subcommands = {ModelsCommand.ListVersions.class, ModelsCommand.Show.class, ModelsCommand.Promote.class})
public final class ModelsCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** What every models subcommand takes: which model, in which store. */
    static final SettingsDef STORE_SETTINGS = SettingsDef.of("models", CommonSettings.MODEL, CommonSettings.STORE);

    /** A model in a store, as the subcommand's settings name them. */
    record StoreOptions(String model, Path store) {
        static StoreOptions of(SettingValues v) {
            return new StoreOptions(v.get(CommonSettings.MODEL), v.get(CommonSettings.STORE));
        }

        SnapshotStore open() {
            return new SnapshotStore(store.toAbsolutePath());
        }

        SnapshotManifest manifest(SnapshotStore s, long version) {
            List<Long> versions = s.versions(model);
            if (!versions.contains(version)) {
                throw new IllegalArgumentException("model " + model + " has no version " + version + " in " + s.root()
                        + (versions.isEmpty() ? " (no versions at all: check --store and --model)"
                                : "; published versions: " + versions));
            }
            return s.manifest(model, version);
        }
    }

    /** {@code models list}: every published version, oldest first. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List the published versions of a model: version, created, examples, steps, parent, metrics.")
    static final class ListVersions extends SettingsCommand {
        ListVersions() {
            super(STORE_SETTINGS);
        }

        @Override
        int run(SettingValues v) {
            StoreOptions options = StoreOptions.of(v);
            SnapshotStore store = options.open();
            List<Long> versions = store.versions(options.model());
            PrintWriter out = spec.commandLine().getOut();
            if (versions.isEmpty()) {
                out.println("no versions of " + options.model() + " in " + store.root());
                return 0;
            }
            out.printf("%-8s %-24s %12s %10s %7s  %s%n", "VERSION", "CREATED", "EXAMPLES", "STEPS", "PARENT",
                    "METRICS");
            for (long version : versions) {
                SnapshotManifest m = store.manifest(options.model(), version);
                out.printf("%-8d %-24s %12d %10d %7s  %s%n", m.version(), Instant.ofEpochMilli(m.createdMs()),
                        m.examplesSeen(), m.stepsSeen(), m.parentVersion() == 0 ? "-" : Long.toString(m.parentVersion()),
                        metrics(m.metrics()));
            }
            out.flush();
            return 0;
        }

        private static String metrics(Map<String, Double> metrics) {
            return metrics.entrySet().stream().map(e -> e.getKey() + "=" + String.format("%.4g", e.getValue()))
                    .collect(Collectors.joining(" "));
        }
    }

    /** A models subcommand about one published version: takes VERSION and finds its manifest, or says which exist. */
    abstract static class OneVersion extends SettingsCommand {
        @Parameters(index = "0", paramLabel = "VERSION", description = "Version to ${COMMAND-NAME}.")
        long version;

        OneVersion(SettingsDef settings) {
            super(settings);
        }

        @Override
        final int run(SettingValues v) throws Exception {
            StoreOptions options = StoreOptions.of(v);
            SnapshotStore store = options.open();
            return run(v, options, store, options.manifest(store, version));
        }

        /** Acts on {@code m}, the manifest of {@link #version} of {@code options.model()} in {@code store}. */
        abstract int run(SettingValues v, StoreOptions options, SnapshotStore store, SnapshotManifest m)
                throws Exception;
    }

    /** {@code models show V}: one version's manifest. */
    @Command(name = "show", mixinStandardHelpOptions = true, description = "Print one version's manifest (JSON).")
    static final class Show extends OneVersion {
        Show() {
            super(STORE_SETTINGS);
        }

        @Override
        int run(SettingValues v, StoreOptions options, SnapshotStore store, SnapshotManifest m) throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(m));
            out.flush();
            return 0;
        }
    }

    /**
     * {@code models promote V}: announces version V's manifest again on the models topic, marked as a promotion,
     * so every serving instance following the topic moves to it, older or not. After a rollback (an older version)
     * new versions enter as challengers until one is promoted; {@code serve --pin-version} holds one version.
     */
    @Command(name = "promote", mixinStandardHelpOptions = true,
            description = "Re-announce a published version on the models topic: serving moves to it, or promotes its "
                    + "challenger; an older version is a rollback, after which new versions are challengers until one "
                    + "is promoted.")
    static final class Promote extends OneVersion {
        static final SettingsDef SETTINGS = SettingsDef.of("models promote", STORE_SETTINGS,
                CommonSettings.SIGNING_KEY_FILE, KafkaSettings.DEF);

        Promote() {
            super(SETTINGS);
        }

        @Override
        int run(SettingValues v, StoreOptions options, SnapshotStore store, SnapshotManifest m) throws Exception {
            Topics topics = KafkaSettings.topics(v);
            String bootstrapServers = v.get(KafkaSettings.BOOTSTRAP_SERVER);
            m = ModelPromotion.prepare(store, options.model(), version, v.isSet(CommonSettings.SIGNING_KEY_FILE)
                    ? ManifestSignature.privateKey(v.get(CommonSettings.SIGNING_KEY_FILE)) : null);
            String topic = topics.models();
            try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(bootstrapServers,
                    KafkaSettings.overrides(v))) {
                RecordMetadata md = producer.send(ModelPromotion.record(topics, m, System.currentTimeMillis()))
                        .get(60, TimeUnit.SECONDS);
                PrintWriter out = spec.commandLine().getOut();
                out.println("promoted " + options.model() + " v" + version + " on " + topic + " (partition "
                        + md.partition() + ", offset " + md.offset() + "): serving instances following the topic move "
                        + "to it; the next published version supersedes it (serve --pin-version holds one version)");
                out.flush();
            } catch (ExecutionException e) {
                throw new IllegalStateException("could not write the promotion of " + options.model() + " v" + version
                        + " to " + topic + " on " + bootstrapServers + ": " + e.getCause().getMessage(),
                        e.getCause());
            }
            return 0;
        }
    }
}
