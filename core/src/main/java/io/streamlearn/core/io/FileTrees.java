package io.streamlearn.core.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** Deletes directory trees with one failure policy, so callers differ only in what they do about a leftover. */
public final class FileTrees {
    private FileTrees() {}

    /**
     * Deletes {@code root} and everything under it; symbolic links are deleted, never followed. A null or
     * missing root is nothing to do, and an entry that vanishes meanwhile counts as deleted.
     *
     * <p>Failure policy: every entry is tried even after one fails, so as little as possible is left; then an
     * {@link UncheckedIOException} names the first entry that could not be deleted, the others suppressed.
     * Callers for whom a leftover is harmless (a temporary directory) catch it and say why in a comment.
     *
     * @throws UncheckedIOException when some entry of the tree could not be deleted
     */
    public static void deleteRecursively(Path root) {
        if (root == null || Files.notExists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Failures failures = new Failures(root);
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    delete(file, failures);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    if (!(e instanceof NoSuchFileException)) {
                        failures.add(e);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) {
                    if (e != null && !(e instanceof NoSuchFileException)) {
                        failures.add(e);
                    }
                    delete(dir, failures);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            failures.add(e);
        }
        failures.throwIfAny();
    }

    private static void delete(Path p, Failures failures) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            failures.add(e);
        }
    }

    /** The failures of one deletion: the first is the cause, the rest are suppressed on it. */
    private static final class Failures {
        private final Path root;
        private UncheckedIOException first;

        Failures(Path root) {
            this.root = root;
        }

        void add(IOException e) {
            if (first == null) {
                first = new UncheckedIOException("cannot delete " + root + " completely: " + e
                        + "; delete what is left by hand", e);
            } else {
                first.addSuppressed(e);
            }
        }

        void throwIfAny() {
            if (first != null) {
                throw first;
            }
        }
    }
}
