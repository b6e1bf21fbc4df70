package io.streamlearn.core.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.testkit.TestCertificates;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SASL_SSL mode of {@link EmbeddedKafkaBroker}: SCRAM users from the format step, TLS, and ACLs enforced. */
class SecuredEmbeddedKafkaBrokerTest {
    private static final String TOPIC = "secured";

    @TempDir
    static Path dir;

    private static BrokerSecurity security;
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startSecuredBroker() throws Exception {
        TestCertificates certs = TestCertificates.generate(dir, "store-secret-1");
        security = new BrokerSecurity(certs.keystore(), certs.truststore(), certs.password(), "admin",
                Map.of("admin", "admin-secret", "writer", "writer-secret", "nobody", "nobody-secret"));
        broker = EmbeddedKafkaBroker.builder().optSecurity(security).build().start();
        try (Admin admin = KafkaClients.admin(broker.bootstrapServers(), broker.superUserProperties())) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            admin.createAcls(List.of(new AclBinding(new ResourcePattern(ResourceType.TOPIC, TOPIC, PatternType.LITERAL),
                    new AccessControlEntry("User:writer", "*", AclOperation.WRITE, AclPermissionType.ALLOW))))
                    .all().get(30, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void userWithWriteAclProducesOverTlsAndScram() throws Exception {
        try (KafkaProducer<byte[], byte[]> p = KafkaClients.producer(broker.bootstrapServers(),
                security.clientProperties("writer"))) {
            long offset = p.send(new ProducerRecord<>(TOPIC, "hello".getBytes(StandardCharsets.UTF_8)))
                    .get(30, TimeUnit.SECONDS).offset();
            assertThat(offset).isGreaterThanOrEqualTo(0);
        }
    }

    @Test
    void authenticatedUserWithoutAclIsNotAuthorized() {
        assertThat(refusal(security.clientProperties("nobody"))).isInstanceOf(TopicAuthorizationException.class);
        try (KafkaConsumer<byte[], byte[]> c = KafkaClients.consumer(broker.bootstrapServers(), null,
                security.clientProperties("writer"))) {
            TopicPartition tp = new TopicPartition(TOPIC, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            // WRITE does not imply READ.
            assertThatThrownBy(() -> c.poll(java.time.Duration.ofSeconds(10)))
                    .isInstanceOf(TopicAuthorizationException.class);
        }
    }

    @Test
    void wrongPasswordIsRefused() {
        assertThat(refusal(security.clientProperties("writer", "guessed")))
                .isInstanceOf(SaslAuthenticationException.class);
    }

    @Test
    void clientWithoutCredentialsGetsNoAnswer() {
        // A PLAINTEXT client on a TLS listener never completes a handshake: it waits out max.block.ms.
        assertThat(refusal(Map.of())).isInstanceOf(TimeoutException.class);
    }

    /** What sending one record with {@code credentials} fails with: the Kafka exception, unwrapped. */
    private static Throwable refusal(Map<String, String> credentials) {
        Throwable t = catchThrowable(() -> send(credentials));
        assertThat(t).as("sending with " + credentials.keySet() + " must fail").isNotNull();
        return t instanceof ExecutionException ? t.getCause() : t;
    }

    private static void send(Map<String, String> credentials) throws Exception {
        Map<String, String> config = new HashMap<>(credentials);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000");
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "5000");
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "4000");
        config.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        try (KafkaProducer<byte[], byte[]> p = KafkaClients.producer(broker.bootstrapServers(), config)) {
            p.send(new ProducerRecord<>(TOPIC, "x".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
        }
    }
}
