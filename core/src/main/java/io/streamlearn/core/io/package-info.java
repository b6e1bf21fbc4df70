/**
 * File-system helpers the components share (deleting a directory tree with one failure policy).
 * Depends on the JDK only.
 */
package io.streamlearn.core.io;
