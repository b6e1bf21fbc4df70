/**
 * The prediction service: answers requests from the requests topic onto the predictions topic with
 * the newest verified (or operator-promoted) snapshot, hot-swapped from the models topic, at-least-once or
 * exactly-once, and over an optional HTTP endpoint. Depends on {@code core} only, never
 * on {@code trainer}, {@code ingest} or {@code app}: serving and training meet only in Kafka and the store.
 */
package io.streamlearn.serving;
