/**
 * Concept-drift detectors over a stream of numbers (a model's per-example error, a loss): ADWIN and
 * Page-Hinkley behind {@link io.streamlearn.core.drift.DriftDetector}, with a versioned state the trainer
 * checkpoints, and the {@link io.streamlearn.core.drift.DriftEvent} put on the events topic.
 * Pure Java: depends on nothing but Jackson (for the event's JSON), no Kafka, no Flink, no DJL.
 */
package io.streamlearn.core.drift;
