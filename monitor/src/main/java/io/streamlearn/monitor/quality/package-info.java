/**
 * Served quality: joins the predictions topic with late ground-truth labels from the feedback topic by id,
 * within a window, and exports served accuracy per model version; a drift detector watches the served error.
 * Depends on {@code core} (topics, Kafka clients, prediction codecs, drift) only.
 */
package io.streamlearn.monitor.quality;
