/**
 * The Flink job: its configuration, the topology (Kafka source, decoding, the online trainer, the
 * dead-letter sink) and the thin trainer operator over {@code learn}, {@code state} and {@code snapshot}.
 */
package io.streamlearn.trainer.job;
