/**
 * A network, its loss and optimizer as data ({@link io.streamlearn.core.model.ModelSpec}) and the
 * builders that turn it into DJL objects. Depends on DJL's API only, never on an engine.
 */
package io.streamlearn.core.model;
