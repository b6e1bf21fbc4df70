package io.streamlearn.trainer.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlearn.core.config.SettingException;
import io.streamlearn.core.model.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerJobArgsTest {

    @Test
    void readsTheFlinkRunArguments(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("mlp.json");
        Files.writeString(spec, ModelSpec.mlp("m", 4, 2, 8).toJson());
        TrainerConfig c = TrainerJob.fromArgs("--bootstrap-server", "k:9092",
                "--spec", spec.toString(), "--store", "/snapshots", "--init-from", "7", "--gate-margin", "0.1",
                "-X", "security.protocol=SASL_SSL", "--device", "gpu:1", "--drift-detector", "page-hinkley",
                "--drift-reaction", "lr-boost", "--group-id", "g1", "--decode-parallelism", "3",
                "--parallelism", "2", "--merge-timeout-ms", "30000");
        assertThat(c.bootstrapServers()).isEqualTo("k:9092");
        assertThat(c.spec().name()).isEqualTo("m");
        assertThat(c.storeRoot()).isEqualTo("/snapshots");
        assertThat(c.initFromVersion()).isEqualTo(7);
        assertThat(c.gateMargin()).isEqualTo(0.1);
        assertThat(c.device()).isEqualTo("gpu:1");
        assertThat(c.driftDetector()).isEqualTo("page-hinkley");
        assertThat(c.driftReaction()).isEqualTo(TrainerConfig.DriftReaction.LR_BOOST);
        assertThat(c.kafkaOverrides()).containsEntry("security.protocol", "SASL_SSL");
        assertThat(c.groupId()).isEqualTo("g1");
        assertThat(c.decodeParallelism()).isEqualTo(3);
        assertThat(c.parallelism()).isEqualTo(2);
        assertThat(c.mergeTimeoutMs()).isEqualTo(30_000);
        assertThat(c.checkpointIntervalMs()).isEqualTo(TrainerSettings.CHECKPOINT_INTERVAL_MS.defaultValue());
        assertThatThrownBy(() -> TrainerJob.fromArgs("--spec", "x"))
                .hasMessageContaining("bootstrap-server");
        assertThatThrownBy(() -> TrainerJob.fromArgs("--bootstrap-server", "k:9092", "--spec", spec.toString(),
                "--store", "/snapshots", "--parallelism", "129")).hasMessageContaining("parallelism");
    }

    @Test
    void stillReadsTheDeprecatedKafkaDotForm(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("mlp.json");
        Files.writeString(spec, ModelSpec.mlp("m", 4, 2, 8).toJson());
        TrainerConfig c = TrainerJob.fromArgs("--bootstrap-server", "k:9092", "--spec", spec.toString(),
                "--store", "/snapshots", "--kafka.sasl.mechanism", "PLAIN", "--kafka-property", "acks=all");
        assertThat(c.kafkaOverrides()).containsEntry("sasl.mechanism", "PLAIN").containsEntry("acks", "all");
    }

    @Test
    void refusesKafkaSecretsAsProgramArgumentsPointingToTheConfigFile() {
        for (String secret : List.of("sasl.jaas.config", "ssl.keystore.password", "ssl.key.password",
                "ssl.truststore.password")) {
            assertThatThrownBy(() -> TrainerJob.fromArgs("--bootstrap-server", "k:9092", "--spec", "s.json",
                    "--store", "/snapshots", "-X", secret + "=hunter2"))
                    .isInstanceOf(SettingException.class)
                    .hasMessageContaining("Kafka property " + secret + " given with --kafka-property is refused")
                    .hasMessageContaining("--kafka-config FILE")
                    .hasMessageNotContaining("hunter2");
        }
        assertThatThrownBy(() -> TrainerJob.fromArgs("--bootstrap-server", "k:9092", "--spec", "s.json",
                "--store", "/snapshots", "--kafka.sasl.jaas.config", "x required password=\"hunter2\";"))
                .isInstanceOf(SettingException.class).hasMessageContaining("sasl.jaas.config")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void readsKafkaSecretsFromTheConfigFile(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("mlp.json");
        Files.writeString(spec, ModelSpec.mlp("m", 4, 2, 8).toJson());
        Path kafka = dir.resolve("kafka.properties");
        Files.writeString(kafka, "security.protocol=SASL_SSL\nssl.truststore.password=hunter2\n");
        TrainerConfig c = TrainerJob.fromArgs("--bootstrap-server", "k:9092", "--spec", spec.toString(),
                "--store", "/snapshots", "--kafka-config", kafka.toString());
        assertThat(c.kafkaOverrides()).containsEntry("ssl.truststore.password", "hunter2")
                .containsEntry("security.protocol", "SASL_SSL");
    }

    @Test
    void unknownArgumentFailsNamingTheNearestKnownOne() {
        assertThatThrownBy(() -> TrainerJob.fromArgs("--bootstrap-server", "k:9092", "--spec", "s.json",
                "--store", "/snapshots", "--checkpoint-intervall-ms", "100"))
                .isInstanceOf(SettingException.class)
                .hasMessage("trainer: unknown argument --checkpoint-intervall-ms; "
                        + "did you mean --checkpoint-interval-ms?");
        assertThatThrownBy(() -> TrainerJob.fromArgs("--bootstrap-server", "k:9092", "--zzz", "1"))
                .isInstanceOf(SettingException.class).hasMessage("trainer: unknown argument --zzz");
    }

    @Test
    void refusesAValueTheDefinitionRefusesNamingTheOption() {
        assertThatThrownBy(() -> TrainerJob.fromArgs("--bootstrap-server", "k:9092", "--spec", "s.json",
                "--store", "/snapshots", "--checkpoint-interval-ms", "5"))
                .isInstanceOf(SettingException.class)
                .hasMessage("--checkpoint-interval-ms is 5, which must be >= 10");
        assertThatThrownBy(() -> TrainerJob.fromArgs("--bootstrap-server", "k:9092", "--spec", "s.json",
                "--store", "/snapshots", "--holdout", "lots"))
                .isInstanceOf(SettingException.class).hasMessageStartingWith("--holdout: 'lots' is not a valid FRACTION");
    }
}
