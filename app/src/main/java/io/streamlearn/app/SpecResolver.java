package io.streamlearn.app;

import io.streamlearn.core.model.ModelSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds a model spec by file path, or by the name of a ready spec shipped under {@code specs/}. */
public final class SpecResolver {
    private SpecResolver() {}

    public static ModelSpec resolve(String nameOrPath) {
        Path file = Path.of(nameOrPath);
        if (Files.isRegularFile(file)) {
            return ModelSpec.read(file);
        }
        try (InputStream in = SpecResolver.class.getResourceAsStream("/specs/" + nameOrPath + ".json")) {
            if (in == null) {
                throw new IllegalArgumentException("no spec file '" + nameOrPath + "' and no ready spec of that name; "
                        + "ready specs: logreg, mlp, lenet5");
            }
            return ModelSpec.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
