/**
 * Served quality: joins the predictions (and shadow predictions) topics with late ground-truth labels from the
 * feedback topic by id, within a window, exports served accuracy per model version, watches the served error for
 * drift, and decides which version serves (challenger promotion, automatic rollback) by writing promotions to the
 * models topic. Depends on {@code core} (topics, Kafka clients, codecs, drift, snapshots) only, never on serving.
 */
package io.streamlearn.monitor.quality;
