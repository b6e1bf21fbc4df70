/**
 * Where examples come from: one {@link io.streamlearn.ingest.source.ExampleSource} per kind (IDX, CSV, JSON Lines,
 * seeded and drifting generators), resolved by {@link io.streamlearn.ingest.source.Sources}, and read for epochs by
 * {@link io.streamlearn.ingest.source.EpochReader}. Produces core {@code Example}s; knows nothing of Kafka.
 */
package io.streamlearn.ingest.source;
