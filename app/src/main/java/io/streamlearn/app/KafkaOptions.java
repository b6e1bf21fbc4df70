package io.streamlearn.app;

import io.streamlearn.core.kafka.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Option;

/** Kafka connection options shared by every subcommand that talks to a broker. */
public final class KafkaOptions {
    @Option(names = {"-b", "--bootstrap-server"}, defaultValue = "127.0.0.1:9092",
            description = "Kafka bootstrap servers.")
    String bootstrapServers;

    @Option(names = "--topic-prefix", defaultValue = Topics.DEFAULT_PREFIX,
            description = "Prefix of every streamlearn topic.")
    String topicPrefix;

    @Option(names = "-X", paramLabel = "KEY=VALUE",
            description = "Kafka client property passed through (e.g. -X security.protocol=SASL_SSL); repeatable.")
    Map<String, String> properties = new LinkedHashMap<>();

    @Option(names = "--kafka-config", paramLabel = "FILE",
            description = "Properties file of Kafka client settings; -X entries win over it.")
    Path configFile;

    public Topics topics() {
        return new Topics(topicPrefix);
    }

    /** The pass-through client properties: the file first, then -X. */
    public Map<String, String> overrides() {
        Map<String, String> out = new LinkedHashMap<>();
        if (configFile != null) {
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(configFile)) {
                p.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read --kafka-config " + configFile, e);
            }
            p.forEach((k, v) -> out.put(k.toString(), v.toString()));
        }
        out.putAll(properties);
        return out;
    }
}
