package io.streamlearn.core.snapshot;

import io.streamlearn.core.model.ModelSpec;
import java.util.Map;

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
 * @param source        data position
 */
public record SnapshotDraft(ModelSpec spec, byte[] params, long examplesSeen, long stepsSeen, long checkpointId,
        long parentVersion, String engine, String device, Map<String, Double> metrics, Map<String, String> source) {

    public SnapshotDraft {
        if (spec == null || params == null || params.length == 0) {
            throw new IllegalArgumentException("a snapshot needs a spec and a non-empty parameter file");
        }
    }
}
