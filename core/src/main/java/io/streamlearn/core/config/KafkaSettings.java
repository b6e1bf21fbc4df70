package io.streamlearn.core.config;

import io.streamlearn.core.kafka.GuardedClientProperties;
import io.streamlearn.core.kafka.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;

/** The Kafka connection settings every component that talks to a broker takes, with the same names everywhere. */
public final class KafkaSettings {
    public static final Setting<String> BOOTSTRAP_SERVER = Setting.of("bootstrap-server", Type.STRING)
            .withAliases("-b").withLabel("HOST:PORT[,HOST:PORT]").withDefault("127.0.0.1:9092")
            .withValidator(Validator.nonBlank()).withDoc("Kafka bootstrap servers.");
    public static final Setting<String> TOPIC_PREFIX = Setting.of("topic-prefix", Type.STRING)
            .withLabel("PREFIX").withDefault(Topics.DEFAULT_PREFIX)
            .withValidator(p -> p.isEmpty() || p.matches("[A-Za-z0-9._-]+") ? null
                    : "may contain only letters, digits, '.', '_' and '-'")
            .withDoc("Prefix of every streamlearn topic.");
    public static final Setting<Path> KAFKA_CONFIG = Setting.of("kafka-config", Type.PATH).withLabel("FILE")
            .withDoc("Properties file of Kafka client settings, the place for credentials; --kafka-property (-X) "
                    + "entries win over it.");
    public static final Setting<Map<String, String>> KAFKA_PROPERTY = Setting.of("kafka-property", Type.KEY_VALUES)
            .withAliases("-X").withDoc("Kafka client property passed through (e.g. -X security.protocol=SASL_SSL); "
                    + "repeatable.");

    /** All four, in the order help shows them. */
    public static final SettingsDef DEF = SettingsDef.of("kafka", BOOTSTRAP_SERVER, TOPIC_PREFIX, KAFKA_CONFIG,
            KAFKA_PROPERTY);

    /**
     * Client properties that carry a secret (a password or a private key). Program arguments show in {@code ps}, in
     * the Flink web UI and in the job's logs; a properties file named by {@link #KAFKA_CONFIG} does not.
     */
    public static final Set<String> SECRET_PROPERTIES = Set.of("sasl.jaas.config", "ssl.keystore.password",
            "ssl.key.password", "ssl.truststore.password", "ssl.keystore.key");

    private KafkaSettings() {}

    /**
     * Refuses a {@link #SECRET_PROPERTIES secret} given with {@link #KAFKA_PROPERTY} (-X), for entry points whose
     * arguments others can read ({@code flink run}): the message says to move it into the {@link #KAFKA_CONFIG} file.
     *
     * @throws SettingException naming the property, never its value
     */
    public static void refuseSecretArguments(SettingValues v) {
        Map<String, String> props = v.get(KAFKA_PROPERTY);
        if (props == null) {
            return;
        }
        for (String key : props.keySet()) {
            if (SECRET_PROPERTIES.contains(key.trim().toLowerCase(Locale.ROOT))) {
                throw new SettingException("Kafka property " + key.trim() + " given with " + KAFKA_PROPERTY.option()
                        + " is refused: program arguments show in ps and the Flink web UI. Put it in a properties "
                        + "file readable only by the job's user and pass " + KAFKA_CONFIG.option() + " FILE.");
            }
        }
    }

    /** The topic names under the given prefix. */
    public static Topics topics(SettingValues v) {
        return new Topics(v.get(TOPIC_PREFIX));
    }

    /**
     * The pass-through client properties: the --kafka-config file first, then each --kafka-property; a
     * property that would undo a delivery guarantee is refused ({@link GuardedClientProperties}).
     */
    public static Map<String, String> overrides(SettingValues v) {
        Map<String, String> out = new LinkedHashMap<>();
        Path file = v.get(KAFKA_CONFIG);
        if (file != null) {
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + KAFKA_CONFIG.option() + " " + file, e);
            }
            p.forEach((k, val) -> out.put(k.toString(), val.toString()));
            GuardedClientProperties.check(out, KAFKA_CONFIG.option() + " " + file);
        }
        Map<String, String> props = v.get(KAFKA_PROPERTY);
        if (props != null) {
            GuardedClientProperties.check(props, KAFKA_PROPERTY.option());
            out.putAll(props);
        }
        return out;
    }
}
