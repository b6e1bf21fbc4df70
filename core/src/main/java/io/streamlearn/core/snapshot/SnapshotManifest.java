package io.streamlearn.core.snapshot;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.streamlearn.core.example.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a snapshot is and how it was made: written as {@code manifest.json} beside the parameter
 * file and carried as the value on the models topic.
 *
 * @param format         manifest format tag, {@value #FORMAT}; readers refuse other formats
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
 * @param source         data position: topic and per-partition offsets or counts
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
        @JsonProperty("source") Map<String, String> source) {

    /** The manifest format this code writes and reads. */
    public static final String FORMAT = "streamlearn.snapshot.v1";

    public SnapshotManifest {
        if (format == null) {
            format = FORMAT;
        }
        if (!FORMAT.equals(format)) {
            throw new IllegalArgumentException("snapshot manifest format '" + format + "' is not supported, this "
                    + "reader knows " + FORMAT);
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

    /** A metric recorded at publish, or NaN when absent. */
    public double metric(String name) {
        Double v = metrics.get(name);
        return v == null ? Double.NaN : v;
    }
}
