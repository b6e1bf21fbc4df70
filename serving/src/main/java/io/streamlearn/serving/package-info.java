/**
 * The prediction service: answers requests from the requests topic onto the predictions topic with
 * the newest verified snapshot, hot-swapped from the models topic. Depends on {@code core} only, never
 * on {@code trainer}, {@code ingest} or {@code app}: serving and training meet only in Kafka and the store.
 */
package io.streamlearn.serving;
