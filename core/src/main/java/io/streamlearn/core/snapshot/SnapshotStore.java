package io.streamlearn.core.snapshot;

import io.streamlearn.core.io.FileTrees;
import io.streamlearn.core.model.ModelSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Versioned snapshots over a directory: {@code <root>/<model>/<version>/} holds the DJL parameter
 * file ({@code <model>-0000.params}, loadable with plain {@code Model.load(dir, model)}),
 * {@code spec.json} and {@code manifest.json}. A snapshot is staged in a hidden folder and renamed
 * into place, so readers never see half of one; the rename fails if the version exists, so two
 * publishers (or a restarted job) never reuse a version.
 */
public final class SnapshotStore {
    public static final String MANIFEST = "manifest.json";
    public static final String SPEC = "spec.json";

    private final Path root;
    private final Clock clock;

    public SnapshotStore(Path root, Clock clock) {
        this.root = root.toAbsolutePath();
        this.clock = clock;
    }

    public SnapshotStore(Path root) {
        this(root, Clock.systemUTC());
    }

    public Path root() {
        return root;
    }

    /** Name of the parameter file DJL's {@code Model.save(dir, model)} writes for epoch 0. */
    public static String paramsFileName(String model) {
        return model + "-0000.params";
    }

    /** Publishes {@code draft} as the next version of its model and returns the manifest written. */
    public SnapshotManifest publish(SnapshotDraft draft) {
        ModelSpec spec = draft.spec();
        Path modelDir = root.resolve(spec.name());
        Path staging = modelDir.resolve(".staging-" + UUID.randomUUID());
        try {
            Files.createDirectories(staging);
            String paramsFile = paramsFileName(spec.name());
            Files.write(staging.resolve(paramsFile), draft.params());
            Files.writeString(staging.resolve(SPEC), spec.toJson());
            for (int attempt = 0; attempt < 100; attempt++) {
                long version = latestVersion(spec.name()) + 1;
                SnapshotManifest m = new SnapshotManifest(SnapshotManifest.FORMAT, spec.name(), version,
                        clock.millis(), draft.examplesSeen(), draft.stepsSeen(), draft.checkpointId(),
                        draft.parentVersion(), paramsFile, sha256(draft.params()), draft.engine(), draft.device(),
                        draft.metrics(), draft.source(), StreamlearnVersion.get(), draft.sourceOffsets());
                Files.write(staging.resolve(MANIFEST), m.toJsonBytes());
                Path target = modelDir.resolve(Long.toString(version));
                try {
                    Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
                    return m;
                } catch (FileAlreadyExistsException | DirectoryNotEmptyException raced) {
                    // Another publisher took this version first: take the next one.
                } catch (FileSystemException raced) {
                    // Linux reports rename(2)'s ENOTEMPTY as a plain FileSystemException.
                    if (!Files.isDirectory(target)) {
                        throw raced;
                    }
                }
            }
            throw new SnapshotException("could not allocate a version for " + spec.name() + " in " + modelDir
                    + " after 100 attempts");
        } catch (AtomicMoveNotSupportedException e) {
            throw new SnapshotException("snapshot store " + root + " is on a file system without atomic renames; "
                    + "put it on a local or POSIX file system", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot publish snapshot of " + spec.name() + " to " + modelDir, e);
        } finally {
            deleteQuietly(staging);
        }
    }

    /** Highest published version of {@code model}, 0 when none. */
    public long latestVersion(String model) {
        return versions(model).stream().mapToLong(Long::longValue).max().orElse(0);
    }

    /** Published versions of {@code model}, ascending. */
    public List<Long> versions(String model) {
        Path dir = root.resolve(model);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Long> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.matches("[0-9]+"))
                    .forEach(n -> out.add(Long.parseLong(n)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list snapshots in " + dir, e);
        }
        out.sort(Comparator.naturalOrder());
        return out;
    }

    public Path directory(String model, long version) {
        return root.resolve(model).resolve(Long.toString(version));
    }

    public Optional<SnapshotManifest> latest(String model) {
        long v = latestVersion(model);
        return v == 0 ? Optional.empty() : Optional.of(manifest(model, v));
    }

    public SnapshotManifest manifest(String model, long version) {
        Path file = directory(model, version).resolve(MANIFEST);
        try {
            return SnapshotManifest.fromJson(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new SnapshotException("snapshot " + model + " v" + version + ": cannot read " + file, e);
        }
    }

    public ModelSpec spec(String model, long version) {
        Path file = directory(model, version).resolve(SPEC);
        try {
            return ModelSpec.fromJson(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new SnapshotException("snapshot " + model + " v" + version + ": cannot read " + file, e);
        }
    }

    /**
     * Checks the parameter file against the manifest's sha256 and returns the snapshot directory.
     *
     * @throws ChecksumMismatchException when the file was changed or corrupted after publication
     */
    public Path verify(SnapshotManifest m) {
        Path dir = directory(m.model(), m.version());
        Path params = dir.resolve(m.paramsFile());
        try {
            String actual = sha256(Files.readAllBytes(params));
            if (!actual.equals(m.paramsSha256())) {
                throw new ChecksumMismatchException("snapshot " + m.model() + " v" + m.version() + ": " + params
                        + " has sha256 " + actual + " but its manifest says " + m.paramsSha256()
                        + "; the file was modified or corrupted after publication, publish a new version");
            }
        } catch (IOException e) {
            throw new SnapshotException("snapshot " + m.model() + " v" + m.version() + ": cannot read " + params, e);
        }
        return dir;
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            FileTrees.deleteRecursively(dir);
        } catch (UncheckedIOException ignored) {
            // Only a staging leftover; the next publish uses a fresh one.
        }
    }
}
