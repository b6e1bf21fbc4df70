/** streamlearn serving. */
package io.streamlearn.serving;
