/**
 * Where examples come from: one {@link io.streamlearn.ingest.source.ExampleSource} per kind
 * (synthetic generators now; IDX, CSV and JSON Lines files next). Produces core {@code Example}s; knows nothing of Kafka.
 */
package io.streamlearn.ingest.source;
