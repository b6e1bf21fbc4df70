/**
 * Where examples come from: one {@link io.streamlearn.ingest.source.ExampleSource} per kind (IDX, CSV,
 * JSON Lines, seeded and drifting generators), resolved from {@code KIND:PATH-or-NAME} by
 * {@link io.streamlearn.ingest.source.Sources}. Produces core {@code Example}s; knows nothing of Kafka.
 */
package io.streamlearn.ingest.source;
