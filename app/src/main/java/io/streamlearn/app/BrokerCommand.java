package io.streamlearn.app;

import io.streamlearn.core.broker.EmbeddedKafkaBroker;
import io.streamlearn.core.config.KafkaSettings;
import io.streamlearn.core.config.Setting;
import io.streamlearn.core.config.SettingValues;
import io.streamlearn.core.config.SettingsDef;
import io.streamlearn.core.config.Type;
import io.streamlearn.core.config.Validator;
import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.kafka.Topics;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;

/** {@code streamlearn broker}: a real single-node KRaft Kafka broker for users without a Kafka yet. */
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = "Run a single-node KRaft Kafka broker on 127.0.0.1 until interrupted (Ctrl-C).")
public final class BrokerCommand extends SettingsCommand {
    static final Setting<Integer> PORT = Setting.of("port", Type.INT).withDefault(9092)
            .withValidator(Validator.between(0, 65_535)).withDoc("Client port.");
    static final Setting<Path> DATA_DIR = Setting.of("data-dir", Type.PATH).withLabel("DIR")
            .withDefault(Path.of("streamlearn-data/kafka")).withDoc("Log directory, kept across restarts.");
    static final Setting<Integer> PARTITIONS = Setting.of("partitions", Type.INT).withDefault(4)
            .withValidator(Validator.atLeast(1)).withDoc("Partitions of the data topics.");
    /** The broker is the server, so of the Kafka settings it takes only the topic prefix. */
    static final SettingsDef SETTINGS = SettingsDef.of("broker", PORT, DATA_DIR, PARTITIONS,
            KafkaSettings.TOPIC_PREFIX);

    public BrokerCommand() {
        super(SETTINGS);
    }

    @Override
    int run(SettingValues v) {
        Topics topics = KafkaSettings.topics(v);
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().optPort(v.get(PORT)).optDataDir(v.get(DATA_DIR))
                .build().start();
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "broker-shutdown"));
        try (Admin admin = KafkaClients.admin(broker.bootstrapServers(), Map.of())) {
            topics.createAll(admin, v.get(PARTITIONS), (short) 1);
        }
        System.out.println("streamlearn broker: Kafka on " + broker.bootstrapServers() + ", data in "
                + broker.dataDir() + ", topics " + topics.all() + "; Ctrl-C stops it");
        broker.awaitShutdown();
        return 0;
    }
}
