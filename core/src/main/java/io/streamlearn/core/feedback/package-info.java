/**
 * Late ground-truth labels on the feedback topic, which the served-quality monitor joins with predictions, and
 * their JSON codec. Depends only on Jackson and {@code core.example}'s JSON settings; no Kafka, no Flink, no DJL.
 */
package io.streamlearn.core.feedback;
