/**
 * Putting examples onto a Kafka topic: encoding, keys, headers, rate control and the counts that
 * must add up. Depends on core and the Kafka clients, never on trainer or serving.
 */
package io.streamlearn.ingest.produce;
