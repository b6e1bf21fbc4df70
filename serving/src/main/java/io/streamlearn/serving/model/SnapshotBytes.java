package io.streamlearn.serving.model;

import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.snapshot.SnapshotException;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.SnapshotStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The files of one snapshot as serving reads them: each read once into memory and checked against its sha256 in the
 * manifest, so what is parsed and loaded afterwards is exactly what was verified.
 *
 * @param where  "snapshot NAME vN in DIR", the prefix of every refusal
 * @param params the verified DJL parameter file
 * @param spec   the verified {@code spec.json}, parsed
 */
record SnapshotBytes(String where, byte[] params, ModelSpec spec) {

    /**
     * Reads and verifies {@code manifest}'s snapshot folder in {@code store}.
     *
     * @throws io.streamlearn.core.snapshot.ChecksumMismatchException when a file does not match its sha256
     * @throws SnapshotException when a file is missing or unreadable, the folder holds a second parameter file, or
     *                           the spec is invalid or names another model
     */
    static SnapshotBytes read(SnapshotStore store, SnapshotManifest manifest) {
        Path dir = store.directory(manifest.model(), manifest.version());
        String where = "snapshot " + manifest.model() + " v" + manifest.version() + " in " + dir;
        String expectedParams = SnapshotStore.paramsFileName(manifest.model());
        if (!expectedParams.equals(manifest.paramsFile())) {
            throw new SnapshotException(where + ": manifest names parameter file '" + manifest.paramsFile()
                    + "', expected '" + expectedParams + "' (what DJL Model.save writes); republish the snapshot");
        }
        List<String> otherParams = otherParameterFiles(dir, expectedParams, where);
        if (!otherParams.isEmpty()) {
            throw new SnapshotException(where + ": the folder holds " + otherParams + " besides " + expectedParams
                    + "; a snapshot has exactly one parameter file and nothing may be added to a published one: "
                    + "remove the extra files or publish a new version");
        }
        Path paramsFile = dir.resolve(expectedParams);
        byte[] params = readAll(paramsFile, where);
        SnapshotStore.checkSha256(manifest, paramsFile, params, manifest.paramsSha256());
        Path specFile = dir.resolve(SnapshotStore.SPEC);
        byte[] specJson = readAll(specFile, where);
        String specSha256 = manifest.sha256Of(SnapshotStore.SPEC);
        if (specSha256 != null) {
            SnapshotStore.checkSha256(manifest, specFile, specJson, specSha256);
        }
        ModelSpec spec;
        try {
            spec = ModelSpec.fromJson(new String(specJson, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new SnapshotException(where + ": invalid " + SnapshotStore.SPEC + ": " + e.getMessage(), e);
        }
        if (!spec.name().equals(manifest.model())) {
            throw new SnapshotException(where + ": " + SnapshotStore.SPEC + " names model '" + spec.name()
                    + "' but the manifest names '" + manifest.model() + "'; the snapshot was assembled wrongly");
        }
        return new SnapshotBytes(where, params, spec);
    }

    private static List<String> otherParameterFiles(Path dir, String expected, String where) {
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".params") && !n.equals(expected))
                    .sorted().forEach(out::add);
        } catch (NoSuchFileException e) {
            throw new SnapshotException(where + ": the snapshot folder does not exist; the manifest announces a "
                    + "version this store does not hold (another store, or a deleted snapshot)", e);
        } catch (IOException e) {
            throw new SnapshotException(where + ": cannot list the snapshot folder: " + e, e);
        }
        return out;
    }

    private static byte[] readAll(Path file, String where) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new SnapshotException(where + ": cannot read " + file + ": " + e, e);
        }
    }
}
