/**
 * The prediction service: {@code PredictionService} wires the rooms ({@code model}, {@code kafka}, {@code http}) and
 * runs their lifecycle; {@code ServingConfig}, {@code ServingMetrics}, {@code ServiceHealth} and {@code ConsumerLoop}
 * are what the rooms share. Depends on {@code core} only, never on {@code trainer}, {@code ingest} or {@code app}.
 */
package io.streamlearn.serving;
