/** streamlearn ingest. */
package io.streamlearn.ingest;
