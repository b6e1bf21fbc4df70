/**
 * Reports: learning curves (prequential and holdout accuracy and loss over examples, read from the snapshot
 * manifests, with versions and drift events marked) rendered headless to PNG with Java2D, and a self-contained
 * HTML page with the per-class precision/recall/F1 of the newest version. Depends on {@code core} only.
 */
package io.streamlearn.monitor.report;
