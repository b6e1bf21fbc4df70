package io.streamlearn.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlearn.core.kafka.Topics;
import io.streamlearn.serving.model.ChallengerRule;
import io.streamlearn.serving.model.InferencePrecision;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServingConfigTest {

    @Test
    void appliesTheDocumentedDefaults() {
        ServingConfig c = ServingConfig.builder().setBootstrapServers("127.0.0.1:9092").setModel("mlp")
                .setStoreRoot(Path.of("snapshots")).build();
        assertThat(c.topics()).isEqualTo(Topics.defaults());
        assertThat(c.groupId()).isEqualTo("streamlearn-serving");
        assertThat(c.maxBatch()).isEqualTo(256);
        assertThat(c.profile()).isEqualTo(ServingProfile.LATENCY);
        assertThat(c.maxWaitMicros()).isZero();
        assertThat(c.topK()).isEqualTo(3);
        assertThat(c.precision()).isEqualTo(InferencePrecision.FLOAT32);
        assertThat(c.pinVersion()).isZero();
        assertThat(c.pinned()).isFalse();
        assertThat(c.kafkaOverrides()).isEmpty();
        assertThat(c.clock()).isEqualTo(Clock.systemUTC());
        assertThat(c.storeRoot()).isAbsolute();
        assertThat(c.exactlyOnce()).isFalse();
        assertThat(c.transactionTimeoutMs()).isEqualTo(60_000);
        assertThat(c.transactionalId()).matches("streamlearn-serving-mlp-[0-9a-f]{8}");
        assertThat(c.httpEnabled()).isFalse();
        assertThat(c.httpHost()).isNull();
    }

    @Test
    void derivesOneTransactionalIdPerInstance() {
        ServingConfig c = ServingConfig.builder().setBootstrapServers("b:1").setModel("mlp").setStoreRoot(Path.of("s"))
                .optExactlyOnce(true).optTransactionalIdPrefix("shop").optInstanceId("pod-3").build();
        assertThat(c.exactlyOnce()).isTrue();
        assertThat(c.transactionalId()).isEqualTo("shop-mlp-pod-3");
        ServingConfig other = ServingConfig.builder().setBootstrapServers("b:1").setModel("mlp")
                .setStoreRoot(Path.of("s")).build();
        ServingConfig another = ServingConfig.builder().setBootstrapServers("b:1").setModel("mlp")
                .setStoreRoot(Path.of("s")).build();
        assertThat(other.transactionalId()).isNotEqualTo(another.transactionalId());
    }

    @Test
    void joinsAsAStaticMemberOnlyUnderAnInstanceIdGivenByHand() {
        ServingConfig c = ServingConfig.fromSettings(ServingSettings.DEF.parseArgs(List.of("--model", "mlp",
                "--instance-id", "pod-2", "--static-membership"))).build();
        assertThat(c.staticMembership()).isTrue();
        assertThat(c.instanceId()).isEqualTo("pod-2");
        assertThat(ServingConfig.fromSettings(ServingSettings.DEF.parseArgs(List.of("--model", "mlp"))).build()
                .staticMembership()).isFalse();
        assertThatThrownBy(() -> ServingConfig.builder().setBootstrapServers("b:1").setModel("m")
                .setStoreRoot(Path.of("s")).optStaticMembership(true).build())
                .hasMessageContaining("static membership needs a stable instance id: call optInstanceId");
        assertThatThrownBy(() -> ServingConfig.builder().setBootstrapServers("b:1").setModel("m")
                .setStoreRoot(Path.of("s")).optInstanceId("pod-1").optStaticMembership(true)
                .optKafkaOverrides(Map.of("group.instance.id", "x")).build())
                .hasMessageContaining("kafka override group.instance.id is set");
    }

    @Test
    void keepsTheTransactionTimeoutBelowTheBrokersMaximum() {
        assertThatThrownBy(() -> ServingConfig.builder().setBootstrapServers("b:1").setModel("m")
                .setStoreRoot(Path.of("s")).optTransactionTimeoutMs(3_600_000).build())
                .hasMessageContaining("transactionTimeoutMs is 3600000, must be 1000..900000")
                .hasMessageContaining("transaction.max.timeout.ms");
        assertThatThrownBy(() -> ServingConfig.builder().setBootstrapServers("b:1").setModel("m")
                .setStoreRoot(Path.of("s")).optExactlyOnce(true)
                .optKafkaOverrides(Map.of("transactional.id", "fixed")).build())
                .hasMessageContaining("kafka override transactional.id is set");
    }

    @Test
    void enablesHttpOnlyWhenAnAddressIsGiven() {
        ServingConfig c = ServingConfig.builder().setBootstrapServers("b:1").setModel("m").setStoreRoot(Path.of("s"))
                .optHttpAddress("127.0.0.1", 0).build();
        assertThat(c.httpEnabled()).isTrue();
        assertThat(c.httpHost()).isEqualTo("127.0.0.1");
        assertThat(c.httpPort()).isZero();
        assertThatThrownBy(() -> ServingConfig.builder().setBootstrapServers("b:1").setModel("m")
                .setStoreRoot(Path.of("s")).optHttpAddress("127.0.0.1", 70_000).build())
                .hasMessageContaining("HTTP port is 70000, must be 0..65535");
    }

    @Test
    void isImmutableAfterBuild() {
        Map<String, String> overrides = new HashMap<>(Map.of("security.protocol", "SSL"));
        ServingConfig c = ServingConfig.builder().setBootstrapServers("b:1").setModel("m").setStoreRoot(Path.of("s"))
                .optKafkaOverrides(overrides).build();
        overrides.put("sasl.mechanism", "PLAIN");
        assertThat(c.kafkaOverrides()).containsOnlyKeys("security.protocol");
    }

    @Test
    void namesEveryMissingRequiredSettingAndItsSetter() {
        assertThatThrownBy(() -> ServingConfig.builder().build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("setBootstrapServers")
                .hasMessageContaining("setModel")
                .hasMessageContaining("setStoreRoot");
    }

    @Test
    void refusesOutOfRangeSettingsWithTheValueAndTheLimit() {
        assertThatThrownBy(() -> ServingConfig.builder().setBootstrapServers("b:1").setModel("m")
                .setStoreRoot(Path.of("s")).optMaxBatch(0).optMaxWaitMicros(-1).optTopK(0).optPinVersion(-2).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxBatch is 0, must be 1..65536")
                .hasMessageContaining("maxWaitMicros is -1")
                .hasMessageContaining("topK is 0")
                .hasMessageContaining("pinVersion is -2");
        assertThatThrownBy(() -> ServingConfig.builder().setBootstrapServers("b:1").setModel("bad/name")
                .setStoreRoot(Path.of("s")).build())
                .hasMessageContaining("model name 'bad/name'");
    }

    @Test
    void buildsFromTheServeSettingsWithTheSameDefaultsAsTheBuilder() {
        ServingConfig c = ServingConfig.fromSettings(ServingSettings.DEF.parseArgs(List.of("--model", "mlp",
                "--store", "snap", "-X", "acks=all", "--topic-prefix", "t.", "--exactly-once", "--instance-id",
                "pod-1", "--http", "0.0.0.0:8080", "--max-batch", "64"))).build();
        assertThat(c.model()).isEqualTo("mlp");
        assertThat(c.bootstrapServers()).isEqualTo("127.0.0.1:9092");
        assertThat(c.storeRoot()).isEqualTo(Path.of("snap").toAbsolutePath());
        assertThat(c.topics()).isEqualTo(new Topics("t."));
        assertThat(c.kafkaOverrides()).containsEntry("acks", "all");
        assertThat(c.exactlyOnce()).isTrue();
        assertThat(c.transactionalId()).isEqualTo("streamlearn-serving-mlp-pod-1");
        assertThat(c.httpHost()).isEqualTo("0.0.0.0");
        assertThat(c.httpPort()).isEqualTo(8080);
        assertThat(c.maxBatch()).isEqualTo(64);

        ServingConfig defaults = ServingConfig.fromSettings(ServingSettings.DEF.parseArgs(List.of("--model", "m")))
                .build();
        ServingConfig built = ServingConfig.builder().setBootstrapServers("127.0.0.1:9092").setModel("m")
                .setStoreRoot(Path.of("streamlearn-data/snapshots")).optInstanceId(defaults.instanceId()).build();
        assertThat(defaults.toString()).isEqualTo(built.toString());
        assertThatThrownBy(() -> ServingSettings.DEF.parseArgs(List.of("--model", "m", "--http", "8080")))
                .hasMessage("--http is 8080, which must be HOST:PORT, e.g. 127.0.0.1:8080");
    }

    @Test
    void readsThePrecisionByEitherNameAndRefusesOthersNamingTheChoices() {
        assertThat(ServingConfig.fromSettings(ServingSettings.DEF.parseArgs(List.of("--model", "m", "--precision",
                "bfloat16"))).build().precision()).isEqualTo(InferencePrecision.BFLOAT16);
        assertThat(ServingConfig.fromSettings(ServingSettings.DEF.parseArgs(List.of("--model", "m", "--precision",
                "BF16"))).build().precision()).isEqualTo(InferencePrecision.BFLOAT16);
        assertThatThrownBy(() -> ServingSettings.DEF.parseArgs(List.of("--model", "m", "--precision", "int8")))
                .hasMessageContaining("int8").hasMessageContaining(InferencePrecision.CHOICES);
        assertThatThrownBy(() -> ServingConfig.fromSettings(ServingSettings.DEF.parseArgs(List.of("--model", "m",
                "--precision", "bfloat16", "--max-batch", "16"))).build())
                .hasMessageContaining("maxBatch is 16").hasMessageContaining("--max-batch");
    }

    @Test
    void readsTheChallengerModeAndCanaryShareAndRefusesOthers() {
        ServingConfig c = ServingConfig.fromSettings(ServingSettings.DEF.parseArgs(List.of("--model", "mlp",
                "--challenger", "canary", "--canary-share", "0.25"))).build();
        assertThat(c.challenger()).isEqualTo(new ChallengerRule(ChallengerRule.Mode.CANARY, 0.25));
        assertThat(ServingConfig.fromSettings(ServingSettings.DEF.parseArgs(List.of("--model", "mlp"))).build()
                .challenger()).as("off by default: every new version serves at once").isEqualTo(ChallengerRule.OFF);
        assertThatThrownBy(() -> ServingSettings.DEF.parseArgs(List.of("--model", "m", "--challenger", "blue")))
                .hasMessageContaining("--challenger is blue");
        assertThatThrownBy(() -> ServingSettings.DEF.parseArgs(List.of("--model", "m", "--canary-share", "1.5")))
                .hasMessageContaining("--canary-share is 1.5");
    }
}
