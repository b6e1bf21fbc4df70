/**
 * The DJL side of online learning, as plain classes: batch assembly into reused direct buffers,
 * the test-then-train step, the holdout split, device choice and learning metrics. Knows nothing of Flink or Kafka.
 */
package io.streamlearn.trainer.learn;
