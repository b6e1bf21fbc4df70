/**
 * Typed definitions of every command-line setting (name, type, default, validator, documentation), from which
 * the CLI options, the {@code flink run} argument parser and docs/cli.md follow. Depends on the JDK and core.kafka.
 */
package io.streamlearn.core.config;
