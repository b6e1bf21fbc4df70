/**
 * The trainer's checkpointed state and its versioned binary formats: parameters, counters, metrics
 * and the examples buffered for the next batch, each data-parallel subtask's contribution to a
 * checkpoint and the merge of those contributions into one model. No Flink or DJL types inside.
 */
package io.streamlearn.trainer.state;
