/**
 * Putting examples onto a Kafka topic: the {@link io.streamlearn.ingest.produce.Ingestor} run (validation,
 * dead letters, epochs, shuffle, rate, bounded failure), encoding, keys, headers and the counts that must
 * add up. Depends on core, the Kafka clients and the ingest sources, never on trainer or serving.
 */
package io.streamlearn.ingest.produce;
