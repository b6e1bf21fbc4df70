/**
 * Putting examples onto a Kafka topic: the {@link io.streamlearn.ingest.produce.Ingestor} run and its parts (broker
 * preflight, validation verdicts sent or dead-lettered, the counts that must add up, the pacing the demo shares).
 * Depends on core, the Kafka clients and the ingest sources, never on trainer or serving.
 */
package io.streamlearn.ingest.produce;
