/** streamlearn monitor. */
package io.streamlearn.monitor;
