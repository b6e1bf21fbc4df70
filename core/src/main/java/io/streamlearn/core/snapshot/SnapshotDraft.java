package io.streamlearn.core.snapshot;

import io.streamlearn.core.model.ModelSpec;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Everything a publisher knows about a snapshot before the store gives it a version.
 *
 * @param spec          the model spec (written as spec.json)
 * @param params        bytes of the DJL parameter file, as {@code Model.save} wrote it
 * @param examplesSeen  examples trained on so far
 * @param stepsSeen     optimizer steps so far
 * @param checkpointId  the Flink checkpoint this state belongs to, -1 for none
 * @param parentVersion version the training started from, 0 for none
 * @param engine        engine name and version
 * @param device        device name
 * @param metrics       metrics at publish
 * @param source        data position: topic, group, counts
 * @param sourceOffsets per partition of the source topic, the next offset not covered by this state
 * @param extraFiles    further files of the snapshot folder by name (e.g. the trainer's resumable state), each
 *                      hashed in the manifest; plain names only, none of the store's own file names
 * @param lineageId     the trainer's line of training ({@link SnapshotManifest#lineageId()}), null when unknown
 */
public record SnapshotDraft(ModelSpec spec, byte[] params, long examplesSeen, long stepsSeen, long checkpointId,
        long parentVersion, String engine, String device, Map<String, Double> metrics, Map<String, String> source,
        SortedMap<Integer, Long> sourceOffsets, SortedMap<String, byte[]> extraFiles, String lineageId) {

    public SnapshotDraft {
        if (spec == null || params == null || params.length == 0) {
            throw new IllegalArgumentException("a snapshot needs a spec and a non-empty parameter file");
        }
        sourceOffsets = sourceOffsets == null ? new TreeMap<>() : new TreeMap<>(sourceOffsets);
        extraFiles = extraFiles == null ? new TreeMap<>() : new TreeMap<>(extraFiles);
        for (String name : extraFiles.keySet()) {
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*") || name.equals(SnapshotStore.MANIFEST)
                    || name.equals(SnapshotStore.SPEC) || name.endsWith(".params")) {
                throw new IllegalArgumentException("snapshot of " + spec.name() + ": extra file name '" + name
                        + "' must be a plain file name other than " + SnapshotStore.MANIFEST + ", "
                        + SnapshotStore.SPEC + " and *.params");
            }
        }
    }

    /** A draft without extra files. */
    public SnapshotDraft(ModelSpec spec, byte[] params, long examplesSeen, long stepsSeen, long checkpointId,
            long parentVersion, String engine, String device, Map<String, Double> metrics, Map<String, String> source,
            SortedMap<Integer, Long> sourceOffsets) {
        this(spec, params, examplesSeen, stepsSeen, checkpointId, parentVersion, engine, device, metrics, source,
                sourceOffsets, null, null);
    }

    /** A draft not read from Kafka partitions (tests, tools): no source offsets. */
    public SnapshotDraft(ModelSpec spec, byte[] params, long examplesSeen, long stepsSeen, long checkpointId,
            long parentVersion, String engine, String device, Map<String, Double> metrics, Map<String, String> source) {
        this(spec, params, examplesSeen, stepsSeen, checkpointId, parentVersion, engine, device, metrics, source,
                null, null, null);
    }
}
