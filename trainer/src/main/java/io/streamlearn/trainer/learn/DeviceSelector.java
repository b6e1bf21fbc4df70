package io.streamlearn.trainer.learn;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Locale;

/**
 * Turns {@code --device auto|cpu|gpu|gpu:N} into a DJL device. {@code auto} and {@code gpu} take
 * GPU {@code subtaskIndex % gpuCount} (one model replica per GPU), {@code auto} falls back to the CPU.
 */
public final class DeviceSelector {
    private DeviceSelector() {}

    public static Device select(String setting, int subtaskIndex, int gpuCount) {
        String s = setting == null ? "auto" : setting.trim().toLowerCase(Locale.ROOT);
        if (s.equals("cpu")) {
            return Device.cpu();
        }
        if (s.equals("auto")) {
            return gpuCount > 0 ? Device.gpu(subtaskIndex % gpuCount) : Device.cpu();
        }
        if (s.equals("gpu") || s.startsWith("gpu:")) {
            if (gpuCount == 0) {
                throw new IllegalArgumentException("device '" + setting + "' asks for a GPU but the engine sees none; "
                        + "use --device auto or cpu, or install the CUDA build of libtorch on this worker");
            }
            if (s.equals("gpu")) {
                return Device.gpu(subtaskIndex % gpuCount);
            }
            int n;
            try {
                n = Integer.parseInt(s.substring(4));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("device '" + setting + "': expected gpu:N with N a number", e);
            }
            if (n < 0 || n >= gpuCount) {
                throw new IllegalArgumentException("device '" + setting + "': this worker has GPUs 0.."
                        + (gpuCount - 1));
            }
            return Device.gpu(n);
        }
        throw new IllegalArgumentException("device '" + setting + "' must be auto, cpu, gpu or gpu:N");
    }

    /** Selection against the default engine's GPU count. */
    public static Device select(String setting, int subtaskIndex) {
        return select(setting, subtaskIndex, Engine.getInstance().getGpuCount());
    }
}
