/**
 * Versioned model snapshots: the manifest that says how a snapshot was made, and the store over a
 * directory that publishes them atomically and never reuses a version. Depends on {@code core.model}.
 */
package io.streamlearn.core.snapshot;
