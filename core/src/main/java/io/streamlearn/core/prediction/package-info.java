/**
 * The prediction serving writes onto the predictions topic, and its JSON and binary forms.
 * Depends on {@code core.example} for shared wire helpers only.
 */
package io.streamlearn.core.prediction;
