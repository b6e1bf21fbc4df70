/**
 * A real single-node KRaft Kafka broker in this JVM, for {@code streamlearn demo}, {@code streamlearn
 * broker} and every end-to-end test; {@link io.streamlearn.core.broker.BrokerSecurity} makes its client listener
 * SASL_SSL with SCRAM users and ACLs, for the security tests. Needs {@code kafka_2.13} on the class path (an
 * optional dependency of core).
 */
package io.streamlearn.core.broker;
