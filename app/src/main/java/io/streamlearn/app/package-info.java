/**
 * The {@code streamlearn} command: picocli subcommands that wire ingest, trainer, serving and monitor,
 * embedded on one machine ({@code demo}) or against a cluster. The only module that depends on all others.
 */
package io.streamlearn.app;
