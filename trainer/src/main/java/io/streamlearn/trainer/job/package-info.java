/**
 * The Flink job: its configuration, the topology (Kafka source, decoding, the online trainer, the
 * dead-letter sink), the thin trainer operator over {@code learn}, {@code state} and {@code snapshot},
 * and the exchange through which its data-parallel subtasks merge at every checkpoint.
 */
package io.streamlearn.trainer.job;
