/** streamlearn trainer. */
package io.streamlearn.trainer;
