package io.streamlearn.app;

import io.streamlearn.core.broker.EmbeddedKafkaBroker;
import io.streamlearn.core.kafka.KafkaClients;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code streamlearn broker}: a real single-node KRaft Kafka broker for users without a Kafka yet. */
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = "Run a single-node KRaft Kafka broker on 127.0.0.1 until interrupted (Ctrl-C).")
public final class BrokerCommand implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "9092", description = "Client port.")
    int port;

    @Option(names = "--data-dir", defaultValue = "streamlearn-data/kafka",
            description = "Log directory, kept across restarts.")
    Path dataDir;

    @Option(names = "--partitions", defaultValue = "4", description = "Partitions of the data topics.")
    int partitions;

    @Mixin
    KafkaOptions kafka;

    @Override
    public Integer call() {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().optPort(port).optDataDir(dataDir).build().start();
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "broker-shutdown"));
        try (Admin admin = KafkaClients.admin(broker.bootstrapServers(), Map.of())) {
            kafka.topics().createAll(admin, partitions, (short) 1);
        }
        System.out.println("streamlearn broker: Kafka on " + broker.bootstrapServers() + ", data in "
                + broker.dataDir() + ", topics " + kafka.topics().all() + "; Ctrl-C stops it");
        broker.awaitShutdown();
        return 0;
    }
}
