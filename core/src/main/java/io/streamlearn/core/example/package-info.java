/**
 * The labeled example and its two wire forms (JSON and the compact binary layout), with the content-type rule.
 * Depends only on Jackson and Kafka's header types (to read content-type); no Flink, no DJL, no other package.
 */
package io.streamlearn.core.example;
