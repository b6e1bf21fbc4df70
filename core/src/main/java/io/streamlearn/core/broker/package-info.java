/**
 * A real single-node KRaft Kafka broker in this JVM, for {@code streamlearn demo}, {@code streamlearn
 * broker} and every end-to-end test. Needs {@code kafka_2.13} on the class path (an optional dependency of core).
 */
package io.streamlearn.core.broker;
