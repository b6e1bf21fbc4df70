/**
 * From Kafka records to validated examples: the record deserializer, schema validation and the
 * dead-letter records of what fails it. Flink-facing but holds no state.
 */
package io.streamlearn.trainer.decode;
