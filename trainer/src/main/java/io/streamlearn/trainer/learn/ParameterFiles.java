package io.streamlearn.trainer.learn;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import io.streamlearn.core.io.FileTrees;
import io.streamlearn.core.snapshot.SnapshotStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A model's parameters as the bytes of the DJL parameter file {@code Model.save} writes, and back: the form of
 * checkpoints and snapshots. DJL reads and writes parameter files only through a directory, so each call goes
 * through a temporary one.
 */
final class ParameterFiles {
    private ParameterFiles() {}

    /** The bytes of {@code model}'s parameter file, as {@code Model.save(dir, name)} writes it. */
    static byte[] save(Model model, String name) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("streamlearn-params-");
            model.save(dir, name);
            return Files.readAllBytes(dir.resolve(SnapshotStore.paramsFileName(name)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialize parameters of " + name, e);
        } finally {
            deleteTree(dir);
        }
    }

    /** Loads a parameter file (as {@link #save} returned it) into {@code target}'s block. */
    static void load(Model target, String name, byte[] paramsFile) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("streamlearn-params-");
            Files.write(dir.resolve(SnapshotStore.paramsFileName(name)), paramsFile);
            target.load(dir, name);
        } catch (IOException | MalformedModelException e) {
            throw new IllegalStateException("cannot restore parameters of " + name + ": " + e.getMessage(), e);
        } finally {
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path dir) {
        try {
            FileTrees.deleteRecursively(dir);
        } catch (UncheckedIOException ignored) {
            // a temp dir; the OS cleans what is left
        }
    }
}
