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
 */
public record SnapshotDraft(ModelSpec spec, byte[] params, long examplesSeen, long stepsSeen, long checkpointId,
        long parentVersion, String engine, String device, Map<String, Double> metrics, Map<String, String> source,
        SortedMap<Integer, Long> sourceOffsets) {

    public SnapshotDraft {
        if (spec == null || params == null || params.length == 0) {
            throw new IllegalArgumentException("a snapshot needs a spec and a non-empty parameter file");
        }
        sourceOffsets = sourceOffsets == null ? new TreeMap<>() : new TreeMap<>(sourceOffsets);
    }

    /** A draft not read from Kafka partitions (tests, tools): no source offsets. */
    public SnapshotDraft(ModelSpec spec, byte[] params, long examplesSeen, long stepsSeen, long checkpointId,
            long parentVersion, String engine, String device, Map<String, Double> metrics, Map<String, String> source) {
        this(spec, params, examplesSeen, stepsSeen, checkpointId, parentVersion, engine, device, metrics, source,
                null);
    }
}
