/**
 * Topic names and the one factory for Kafka client settings every component uses.
 * Depends on kafka-clients only.
 */
package io.streamlearn.core.kafka;
