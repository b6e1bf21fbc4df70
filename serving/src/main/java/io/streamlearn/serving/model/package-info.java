/**
 * The serving model: loading and verifying a snapshot, choosing which one follows the models topic, and the one
 * {@code ServingModel} the loops acquire it from. Must not depend on {@code PredictionService}, {@code kafka} or
 * {@code http}.
 */
package io.streamlearn.serving.model;
