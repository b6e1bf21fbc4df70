/**
 * What operators see of an ingest run: the progress bar or lines, the end-of-run summary and the
 * Prometheus metrics. Reads the counts of {@code ingest.produce}; never sends anything.
 */
package io.streamlearn.ingest.report;
