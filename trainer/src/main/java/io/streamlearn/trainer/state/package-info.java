/**
 * The trainer's checkpointed state and its versioned binary format: parameters, counters, metrics
 * and the examples buffered for the next batch. No Flink or DJL types inside.
 */
package io.streamlearn.trainer.state;
