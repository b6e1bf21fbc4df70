/** streamlearn app. */
package io.streamlearn.app;
