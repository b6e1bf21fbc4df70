/**
 * The serving model: loading and verifying a snapshot, choosing which one follows the models topic (champion and
 * challenger, {@code ChallengerRule}), and the one {@code ServingModel} the loops acquire them from. Must not depend
 * on {@code PredictionService}, {@code kafka} or {@code http}.
 */
package io.streamlearn.serving.model;
