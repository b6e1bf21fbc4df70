/**
 * Checking source records against the declared core {@code ExampleSchema} and naming why one is rejected.
 * Pure logic: depends on core and the source records, never on Kafka.
 */
package io.streamlearn.ingest.validate;
