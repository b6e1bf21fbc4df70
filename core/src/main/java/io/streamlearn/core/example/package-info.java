/**
 * The labeled example, its two wire forms (JSON and the compact binary layout) and the dead-letter record.
 * Depends on Jackson and kafka-clients' record types only; producers, the trainer's decoder and serving share it.
 */
package io.streamlearn.core.example;
