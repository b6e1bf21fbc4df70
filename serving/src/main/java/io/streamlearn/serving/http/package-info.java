/**
 * The optional HTTP endpoint: {@code POST /v1/predict} micro-batched on its own thread, health, readiness and
 * metrics. Answers with {@code model.ServingModel}; must not depend on {@code PredictionService} or {@code kafka}.
 */
package io.streamlearn.serving.http;
