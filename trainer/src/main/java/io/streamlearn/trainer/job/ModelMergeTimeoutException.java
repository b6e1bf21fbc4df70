package io.streamlearn.trainer.job;

import java.util.List;

/** A data-parallel trainer subtask waited longer than {@code --merge-timeout-ms} for the others' contributions. */
public final class ModelMergeTimeoutException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final List<Integer> missing;

    ModelMergeTimeoutException(String message, List<Integer> missing) {
        super(message);
        this.missing = List.copyOf(missing);
    }

    /** The subtasks whose contribution never arrived. */
    public List<Integer> missing() {
        return missing;
    }
}
