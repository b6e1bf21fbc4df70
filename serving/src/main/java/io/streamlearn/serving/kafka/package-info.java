/**
 * The Kafka request loop: requests topic in, micro-batches, predictions and dead letters out, committed at least or
 * exactly once. Answers with {@code model.ServingModel}; must not depend on {@code PredictionService} or {@code http}.
 */
package io.streamlearn.serving.kafka;
