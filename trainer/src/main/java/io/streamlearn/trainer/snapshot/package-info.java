/**
 * Publishing a completed checkpoint's model: to the snapshot store, then its manifest to the
 * models topic. Plain classes; the trainer operator calls them on checkpoint completion.
 */
package io.streamlearn.trainer.snapshot;
