/**
 * Prometheus plumbing every component shares: JVM (hotspot) metrics and the {@code /metrics} HTTP exporter,
 * on simpleclient 0.16. Keep metric code behind these helpers so a move to {@code prometheus-metrics-core}
 * touches one package. Depends on nothing of streamlearn.
 */
package io.streamlearn.monitor.metrics;
