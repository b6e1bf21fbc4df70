package io.streamlearn.trainer.job;

import java.util.OptionalInt;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.apache.flink.api.common.functions.RuntimeContext;

/** The GPU that Flink's external resource framework gave a subtask (resource name {@code gpu}), if any. */
final class AssignedGpu {
    private AssignedGpu() {}

    /** The {@code index} property of the subtask's first {@code gpu} resource; empty when none is configured. */
    static OptionalInt of(RuntimeContext context) {
        for (ExternalResourceInfo info : context.getExternalResourceInfos("gpu")) {
            var index = info.getProperty("index");
            if (index.isPresent()) {
                return OptionalInt.of(Integer.parseInt(index.get().trim()));
            }
        }
        return OptionalInt.empty();
    }
}
