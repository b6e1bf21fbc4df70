/**
 * Concept-drift detectors over a stream of numbers (a model's per-example error, a loss): ADWIN and
 * Page-Hinkley behind {@link io.streamlearn.core.drift.DriftDetector}, with a versioned state the trainer checkpoints.
 * Pure Java: depends on nothing, no Kafka, no Flink, no DJL; the drift event itself lives in {@code core.event}.
 */
package io.streamlearn.core.drift;
