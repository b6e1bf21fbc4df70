/**
 * streamlearn monitor: Prometheus metric helpers ({@code monitor.metrics}), the served-quality join of
 * predictions with late labels ({@code monitor.quality}) and learning-curve reports ({@code monitor.report}).
 * The alert rules, their promtool tests and the Grafana dashboard live beside the code in {@code monitor/}.
 * Depends on {@code core} only; never on ingest, trainer or serving (those are test-scope dependencies).
 */
package io.streamlearn.monitor;
