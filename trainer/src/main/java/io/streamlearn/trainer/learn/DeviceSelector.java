package io.streamlearn.trainer.learn;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Locale;
import java.util.OptionalInt;

/**
 * Turns {@code --device auto|cpu|gpu|gpu:N} into a DJL device. A GPU that Flink's external
 * resource framework assigned to this subtask wins; otherwise {@code auto} and {@code gpu} take GPU
 * {@code subtaskIndex % gpuCount} (one model replica per GPU), and {@code auto} falls back to the CPU.
 */
public final class DeviceSelector {
    private DeviceSelector() {}

    /**
     * @param setting       the user's setting
     * @param subtaskIndex  index of the trainer subtask
     * @param gpuCount      GPUs the engine sees
     * @param assignedGpu   index of the GPU Flink assigned (external resource {@code gpu}), if any
     */
    public static Device select(String setting, int subtaskIndex, int gpuCount, OptionalInt assignedGpu) {
        String s = setting == null ? "auto" : setting.trim().toLowerCase(Locale.ROOT);
        if (s.equals("cpu")) {
            return Device.cpu();
        }
        if (s.equals("auto") || s.equals("gpu")) {
            if (assignedGpu.isPresent()) {
                return Device.gpu(assignedGpu.getAsInt());
            }
            if (gpuCount > 0) {
                return Device.gpu(subtaskIndex % gpuCount);
            }
            if (s.equals("auto")) {
                return Device.cpu();
            }
            throw new IllegalArgumentException("device 'gpu' asks for a GPU but the engine sees none; use --device "
                    + "auto or cpu, or install the CUDA build of libtorch on this worker");
        }
        if (s.startsWith("gpu:")) {
            int n;
            try {
                n = Integer.parseInt(s.substring(4));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("device '" + setting + "': expected gpu:N with N a number", e);
            }
            if (n < 0 || n >= gpuCount) {
                throw new IllegalArgumentException("device '" + setting + "': this worker has "
                        + (gpuCount == 0 ? "no GPU" : "GPUs 0.." + (gpuCount - 1)));
            }
            return Device.gpu(n);
        }
        throw new IllegalArgumentException("device '" + setting + "' must be auto, cpu, gpu or gpu:N");
    }

    /** Selection against the default engine's GPU count, without an assigned GPU. */
    public static Device select(String setting, int subtaskIndex) {
        return select(setting, subtaskIndex, Engine.getInstance().getGpuCount(), OptionalInt.empty());
    }
}
