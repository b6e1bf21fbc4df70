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
import java.security.PrivateKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Versioned snapshots over a directory: {@code <root>/<model>/<version>/} holds the DJL parameter
 * file ({@code <model>-0000.params}, loadable with plain {@code Model.load(dir, model)}),
 * {@code spec.json}, optional extra files (the trainer's resumable state) and {@code manifest.json}, which hashes
 * every other file. A snapshot is staged in a hidden folder and renamed
 * into place, so readers never see half of one; the rename fails if the version exists, so two
 * publishers (or a restarted job) never reuse a version.
 *
 * <p>The store has an id, created with its first snapshot and kept in {@value #STORE_ID} at its root; every manifest
 * names it, so a reader tells a re-created store (whose versions restart at 1) or another trainer's store publishing
 * the same model name from its own.
 */
public final class SnapshotStore {
    public static final String MANIFEST = "manifest.json";
    public static final String SPEC = "spec.json";
    /** File at the store's root holding its id; hidden, so no model name (they start with a letter or digit) hits it. */
    public static final String STORE_ID = ".store-id";

    private final Path root;
    private final Clock clock;
    // Signs every manifest this store publishes; null: manifests go unsigned (signing is optional).
    private final PrivateKey signingKey;

    /** A store whose published manifests are signed with {@code signingKey} (Ed25519), or unsigned when null. */
    public SnapshotStore(Path root, Clock clock, PrivateKey signingKey) {
        this.root = root.toAbsolutePath();
        this.clock = clock;
        this.signingKey = signingKey;
    }

    public SnapshotStore(Path root, Clock clock) {
        this(root, clock, null);
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
            String storeId = storeId();
            String paramsFile = paramsFileName(spec.name());
            byte[] specJson = spec.toJson().getBytes(StandardCharsets.UTF_8);
            TreeMap<String, String> files = new TreeMap<>();
            files.put(paramsFile, write(staging.resolve(paramsFile), draft.params()));
            files.put(SPEC, write(staging.resolve(SPEC), specJson));
            for (Map.Entry<String, byte[]> extra : draft.extraFiles().entrySet()) {
                files.put(extra.getKey(), write(staging.resolve(extra.getKey()), extra.getValue()));
            }
            for (int attempt = 0; attempt < 100; attempt++) {
                long version = latestVersion(spec.name()) + 1;
                SnapshotManifest m = new SnapshotManifest(SnapshotManifest.FORMAT, spec.name(), version,
                        clock.millis(), draft.examplesSeen(), draft.stepsSeen(), draft.checkpointId(),
                        draft.parentVersion(), paramsFile, sha256(draft.params()), draft.engine(), draft.device(),
                        draft.metrics(), draft.source(), StreamlearnVersion.get(), draft.sourceOffsets(), files,
                        storeId, draft.lineageId(), null);
                if (signingKey != null) {
                    m = m.withSignature(ManifestSignature.sign(m, signingKey));
                }
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

    private static String write(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes);
        return sha256(bytes);
    }

    /**
     * This store's id, created on first use: a random UUID written once to {@value #STORE_ID} at the root.
     *
     * @throws UncheckedIOException when the root cannot be written and has no id yet
     */
    public String storeId() {
        Optional<String> existing = existingStoreId();
        if (existing.isPresent()) {
            return existing.get();
        }
        Path file = root.resolve(STORE_ID);
        Path tmp = root.resolve(STORE_ID + "." + UUID.randomUUID());
        try {
            Files.createDirectories(root);
            Files.writeString(tmp, UUID.randomUUID() + "\n", StandardCharsets.UTF_8);
            try {
                // A hard link fails if the name exists, atomically: of two first publishers, one id wins.
                Files.createLink(file, tmp);
            } catch (FileAlreadyExistsException lost) {
                // The other publisher's id is the store's.
            } catch (UnsupportedOperationException | FileSystemException noLinks) {
                if (!Files.exists(file)) {
                    Files.move(tmp, file);
                }
            }
        } catch (FileAlreadyExistsException lostTheMove) {
            // As above, on a file system without hard links.
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the id of snapshot store " + root + " (" + file
                    + "); make the store writable", e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // A leftover temp file; harmless beside the id.
            }
        }
        return existingStoreId().orElseThrow(() -> new SnapshotException("snapshot store " + root + ": "
                + file + " was written but cannot be read back"));
    }

    /** This store's id when it has one (it gets one with its first snapshot); reads only, creates nothing. */
    public Optional<String> existingStoreId() {
        Path file = root.resolve(STORE_ID);
        try {
            String id = Files.readString(file, StandardCharsets.UTF_8).strip();
            return id.isEmpty() ? Optional.empty() : Optional.of(id);
        } catch (java.nio.file.NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the id of snapshot store " + root + " from " + file, e);
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
     * Checks every file the manifest hashes (before {@value SnapshotManifest#FORMAT}: only the parameter file)
     * and returns the snapshot directory.
     *
     * @throws ChecksumMismatchException when a file was changed or corrupted after publication
     */
    public Path verify(SnapshotManifest m) {
        read(m, m.paramsFile());
        for (String file : m.files().keySet()) {
            if (!file.equals(m.paramsFile())) {
                read(m, file);
            }
        }
        return directory(m.model(), m.version());
    }

    /**
     * The bytes of {@code file} in the snapshot of {@code m}, read once and checked against the manifest's sha256,
     * so a caller uses exactly the bytes that were verified.
     *
     * @throws ChecksumMismatchException when the file differs from what was published
     * @throws SnapshotException         when it cannot be read or the manifest records no hash for it
     */
    public byte[] read(SnapshotManifest m, String file) {
        String expected = m.sha256Of(file);
        if (expected == null) {
            throw new SnapshotException("snapshot " + m.model() + " v" + m.version() + ": the manifest records no "
                    + "sha256 for " + file + ", so it cannot be trusted; publish a new version");
        }
        Path path = directory(m.model(), m.version()).resolve(file);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new SnapshotException("snapshot " + m.model() + " v" + m.version() + ": cannot read " + path, e);
        }
        checkSha256(m, path, bytes, expected);
        return bytes;
    }

    /**
     * Checks {@code bytes}, read from {@code file} of {@code m}'s snapshot, against {@code expected}; a reader that
     * parses the bytes it checked (never the file again) cannot be handed other bytes than the verified ones.
     *
     * @throws ChecksumMismatchException when they differ
     */
    public static void checkSha256(SnapshotManifest m, Path file, byte[] bytes, String expected) {
        String actual = sha256(bytes);
        if (!actual.equals(expected)) {
            throw new ChecksumMismatchException("snapshot " + m.model() + " v" + m.version() + ": " + file
                    + " has sha256 " + actual + " but its manifest says " + expected
                    + "; the file was modified or corrupted after publication, publish a new version");
        }
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
