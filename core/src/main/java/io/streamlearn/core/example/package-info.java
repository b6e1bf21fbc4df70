/**
 * The labeled example and its two wire forms (JSON and the compact binary layout).
 * Depends only on Jackson; every producer, the trainer's decoder and serving share these codecs.
 */
package io.streamlearn.core.example;
