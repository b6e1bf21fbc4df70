package io.streamlearn.core.snapshot;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.streamlearn.core.example.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a snapshot is and how it was made: written as {@code manifest.json} beside the parameter
 * file and carried as the value on the models topic.
 *
 * @param format         manifest format tag, {@value #FORMAT} (written), {@value #FORMAT_V3}, {@value #FORMAT_V2} or
 *                       {@value #FORMAT_V1} (still read); readers refuse other formats
 * @param model          model name
 * @param version        snapshot version, strictly increasing per model, never reused
 * @param createdMs      publication time, epoch milliseconds
 * @param examplesSeen   examples trained on up to this snapshot
 * @param stepsSeen      optimizer steps up to this snapshot
 * @param checkpointId   Flink checkpoint this snapshot is the state of (-1 when not from a job)
 * @param parentVersion  version this one was trained on from, 0 for none
 * @param paramsFile     name of the DJL parameter file in the snapshot directory
 * @param paramsSha256   hex sha256 of the parameter file; serving refuses a mismatch
 * @param engine         DJL engine name and version that wrote the parameters
 * @param device         device the parameters were trained on
 * @param metrics        metrics at publish (accuracies, loss), by name
 * @param source         data position: topic, group and example counts
 * @param streamlearnVersion the streamlearn version that wrote the snapshot ({@link StreamlearnVersion}); null in
 *                       {@value #FORMAT_V1} manifests
 * @param sourceOffsets  data position: per partition of the source topic, the next offset the checkpoint had not
 *                       covered (resume from here); empty in {@value #FORMAT_V1} manifests and outside a job
 * @param files          hex sha256 of every file of the snapshot folder but the manifest, by file name: the
 *                       parameter file, {@code spec.json} and extra files such as the trainer's resumable state;
 *                       serving refuses a mismatch. Empty before {@value #FORMAT}, where only {@code params_sha256}
 *                       was recorded
 * @param storeId        id of the store that published the snapshot ({@link SnapshotStore#storeId()}), so a reader
 *                       tells a re-created store or another trainer's store from its own. Null before {@value #FORMAT_V3}
 * @param lineageId      id of the line of training the snapshot belongs to: minted by a trainer that starts fresh,
 *                       inherited by resume and warm start, so serving tells a second trainer publishing the same model
 *                       name (or a {@code --fresh} restart) from the one it follows. Null before {@value #FORMAT}:
 *                       unknown, not checked
 * @param signature      base64 Ed25519 signature over {@link #signedContent()} ({@link ManifestSignature}); null when
 *                       the publisher had no signing key
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SnapshotManifest(
        @JsonProperty("format") String format,
        @JsonProperty("model") String model,
        @JsonProperty("version") long version,
        @JsonProperty("created_ms") long createdMs,
        @JsonProperty("examples_seen") long examplesSeen,
        @JsonProperty("steps_seen") long stepsSeen,
        @JsonProperty("checkpoint_id") long checkpointId,
        @JsonProperty("parent_version") long parentVersion,
        @JsonProperty("params_file") String paramsFile,
        @JsonProperty("params_sha256") String paramsSha256,
        @JsonProperty("engine") String engine,
        @JsonProperty("device") String device,
        @JsonProperty("metrics") Map<String, Double> metrics,
        @JsonProperty("source") Map<String, String> source,
        @JsonProperty("streamlearn_version") String streamlearnVersion,
        @JsonProperty("source_offsets") SortedMap<Integer, Long> sourceOffsets,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) @JsonProperty("files") SortedMap<String, String> files,
        @JsonProperty("store_id") String storeId,
        @JsonProperty("lineage_id") String lineageId,
        @JsonProperty("signature") String signature) {

    /** The manifest format this code writes: v3 plus the lineage id and the optional signature. */
    public static final String FORMAT = "streamlearn.snapshot.v4";
    /**
     * v2 plus the sha256 of every file ({@code files}, {@code spec.json} included) and the publishing store's id
     * ({@code store_id}); still read.
     */
    public static final String FORMAT_V3 = "streamlearn.snapshot.v3";
    /** v1 plus the streamlearn version and the source offsets; still read. */
    public static final String FORMAT_V2 = "streamlearn.snapshot.v2";
    /** The first manifest format, without provenance of code and offsets; still read. */
    public static final String FORMAT_V1 = "streamlearn.snapshot.v1";

    public SnapshotManifest {
        if (format == null) {
            format = FORMAT;
        }
        if (!FORMAT.equals(format) && !FORMAT_V3.equals(format) && !FORMAT_V2.equals(format)
                && !FORMAT_V1.equals(format)) {
            throw new IllegalArgumentException("snapshot manifest format '" + format + "' is not supported, this "
                    + "reader knows " + FORMAT + ", " + FORMAT_V3 + ", " + FORMAT_V2 + " and " + FORMAT_V1
                    + "; upgrade streamlearn to read it");
        }
        if (model == null || model.isEmpty()) {
            throw new IllegalArgumentException("snapshot manifest without a model name");
        }
        if (version < 1) {
            throw new IllegalArgumentException("snapshot manifest of " + model + ": version " + version + " < 1");
        }
        if (paramsFile == null || paramsSha256 == null) {
            throw new IllegalArgumentException("snapshot manifest of " + model + " v" + version
                    + ": params_file and params_sha256 are required");
        }
        metrics = metrics == null ? new LinkedHashMap<>() : new LinkedHashMap<>(metrics);
        source = source == null ? new LinkedHashMap<>() : new LinkedHashMap<>(source);
        sourceOffsets = sourceOffsets == null ? new TreeMap<>() : new TreeMap<>(sourceOffsets);
        files = files == null ? new TreeMap<>() : new TreeMap<>(files);
        String listed = files.get(paramsFile);
        if (listed != null && !listed.equals(paramsSha256)) {
            throw new IllegalArgumentException("snapshot manifest of " + model + " v" + version + ": files lists sha256 "
                    + listed + " for " + paramsFile + " but params_sha256 is " + paramsSha256);
        }
    }

    /** A manifest of {@value #FORMAT_V2}'s fields, without per-file hashes and store id. */
    public SnapshotManifest(String format, String model, long version, long createdMs, long examplesSeen,
            long stepsSeen, long checkpointId, long parentVersion, String paramsFile, String paramsSha256,
            String engine, String device, Map<String, Double> metrics, Map<String, String> source,
            String streamlearnVersion, SortedMap<Integer, Long> sourceOffsets) {
        this(format, model, version, createdMs, examplesSeen, stepsSeen, checkpointId, parentVersion, paramsFile,
                paramsSha256, engine, device, metrics, source, streamlearnVersion, sourceOffsets, null, null, null, null);
    }

    /** A manifest without code version and source offsets, the fields of {@value #FORMAT_V1}. */
    public SnapshotManifest(String format, String model, long version, long createdMs, long examplesSeen,
            long stepsSeen, long checkpointId, long parentVersion, String paramsFile, String paramsSha256,
            String engine, String device, Map<String, Double> metrics, Map<String, String> source) {
        this(format, model, version, createdMs, examplesSeen, stepsSeen, checkpointId, parentVersion, paramsFile,
                paramsSha256, engine, device, metrics, source, null, null, null, null, null, null);
    }

    /** This manifest with {@code signature} (null: unsigned), all else equal. */
    public SnapshotManifest withSignature(String signature) {
        return new SnapshotManifest(format, model, version, createdMs, examplesSeen, stepsSeen, checkpointId,
                parentVersion, paramsFile, paramsSha256, engine, device, metrics, source, streamlearnVersion,
                sourceOffsets, files, storeId, lineageId, signature);
    }

    /**
     * The bytes a signature covers: every field but the signature, file hashes included, as compact JSON with map
     * entries sorted by key, so the same content always gives the same bytes whatever order a writer used.
     */
    public byte[] signedContent() {
        try {
            return Json.MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT)
                    .with(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).writeValueAsBytes(withSignature(null));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public byte[] toJsonBytes() {
        try {
            return Json.MAPPER.writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static SnapshotManifest fromJson(byte[] json) {
        try {
            return Json.MAPPER.readValue(json, SnapshotManifest.class);
        } catch (java.io.IOException e) {
            Throwable cause = e.getCause() instanceof IllegalArgumentException iae ? iae : e;
            throw new IllegalArgumentException("invalid snapshot manifest: " + cause.getMessage(), e);
        }
    }

    /** The recorded sha256 of {@code file} in the snapshot folder, or null when the manifest does not list it. */
    public String sha256Of(String file) {
        String listed = files.get(file);
        return listed == null && file.equals(paramsFile) ? paramsSha256 : listed;
    }

    /** A metric recorded at publish, or NaN when absent. */
    public double metric(String name) {
        Double v = metrics.get(name);
        return v == null ? Double.NaN : v;
    }
}
