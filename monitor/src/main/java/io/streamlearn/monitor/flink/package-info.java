/**
 * Flink metrics of a job on an in-process MiniCluster (demo, {@code streamlearn train}) as Prometheus
 * metrics, named as Flink's own Prometheus reporter names them on a cluster, so alerts and dashboards
 * work unchanged. Depends on Flink's metric API only.
 */
package io.streamlearn.monitor.flink;
