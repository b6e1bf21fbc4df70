/**
 * The label join: a Flink job that joins the features of served requests with their late labels from the
 * feedback topic by id, in event time within a window, and writes the joined examples to the examples topic
 * exactly once. The rules live in {@link io.streamlearn.trainer.join.JoinRules} (plain, no Flink); the
 * Flink function only keeps their state. Depends on {@code core} and {@code trainer.decode}; not on the learner.
 */
package io.streamlearn.trainer.join;
