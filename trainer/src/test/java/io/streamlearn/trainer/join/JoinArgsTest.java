package io.streamlearn.trainer.join;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The label join's settings as {@code flink run ... JoinJob} and {@code streamlearn join} read them. */
class JoinArgsTest {

    @Test
    void readsTheFlinkRunArgumentsWithTheJoinsDefaults() {
        JoinConfig c = JoinJob.fromArgs("--bootstrap-server", "k:9092", "--window-ms", "60000", "--topic-prefix",
                "prod.", "-X", "security.protocol=SASL_SSL", "--parallelism", "2");
        assertThat(c.bootstrapServers()).isEqualTo("k:9092");
        assertThat(c.windowMs()).isEqualTo(60_000);
        assertThat(c.topics().feedbackDlq()).isEqualTo("prod.feedback.dlq");
        assertThat(c.parallelism()).isEqualTo(2);
        assertThat(c.kafkaOverrides()).containsEntry("security.protocol", "SASL_SSL");
        assertThat(c.stateTtlMs()).isEqualTo(JoinSettings.STATE_TTL_MS.defaultValue());
        assertThat(c.transactionTimeoutMs()).isEqualTo(600_000).isLessThan(JoinSettings.MAX_TRANSACTION_TIMEOUT_MS);
        assertThat(c.groupId()).isEqualTo("streamlearn-join");
    }

    @Test
    void refusesWhatWouldFailLaterNamingTheOption() {
        assertThatThrownBy(() -> JoinJob.fromArgs("--window-ms", "1000")).hasMessageContaining("bootstrap-server");
        assertThatThrownBy(() -> JoinJob.fromArgs("-b", "k:9092", "--window-ms", "0"))
                .hasMessageContaining("--window-ms");
        assertThatThrownBy(() -> JoinJob.fromArgs("-b", "k:9092", "--transaction-timeout-ms", "3600000"))
                .hasMessageContaining("transaction.max.timeout.ms");
        assertThatThrownBy(() -> JoinJob.fromArgs("-b", "k:9092", "--windw-ms", "5"))
                .hasMessageContaining("--window-ms");
        assertThatThrownBy(() -> JoinJob.fromArgs("-b", "k:9092", "-X", "sasl.jaas.config=secret"))
                .hasMessageContaining("--kafka-config");
    }
}
