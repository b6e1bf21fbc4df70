package io.streamlearn.trainer.learn;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** libtorch's threads: one core left for Flink and Kafka, the rest split between the trainers of one JVM. */
class EngineThreadsTest {
    @Test
    void trainerSubtasksInOneJvmSplitTheCoresInsteadOfOversubscribingThem() {
        assertThat(EngineThreads.defaultThreads(16)).isEqualTo(15);
        assertThat(EngineThreads.defaultThreads(16, 4)).isEqualTo(3);
        assertThat(EngineThreads.defaultThreads(2, 2)).isEqualTo(1);
        assertThat(EngineThreads.defaultThreads(1)).isEqualTo(1);
    }
}
