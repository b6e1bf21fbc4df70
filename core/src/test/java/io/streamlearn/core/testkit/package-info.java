/**
 * The test kit every module's integration tests share: the embedded broker as a JUnit 5 extension with fresh topics
 * per test, a KRaft cluster of child-JVM brokers to stop, kill and restart, child JVMs that never outlive the test,
 * one topic reader, one policy for missing tools, and for a secured broker a keytool-made test CA and each
 * component's least-privilege ACLs (those docs/deploy.md lists). Test code only; depends on core (and kafka_2.13 for the brokers).
 */
package io.streamlearn.core.testkit;
