/**
 * The typed events every component puts on the events topic (drift, refused snapshots, failed publications) and
 * their one JSON codec.
 * Depends only on Jackson, Kafka's record types and {@code core.example}'s JSON settings; no Flink, no DJL.
 */
package io.streamlearn.core.event;
