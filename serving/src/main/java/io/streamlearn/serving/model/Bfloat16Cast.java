package io.streamlearn.serving.model;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * Casts float32 arrays to bfloat16 through a TorchScript module ({@code to_bfloat16.pt}, written by
 * {@code serving/src/main/torchscript/to_bfloat16.py}): DJL's PyTorch JNI maps no bfloat16 type (its
 * {@code toType(BFLOAT16)} aborts the JVM in 0.35.1), while the arrays the module returns work in DJL's operations
 * (DJL reports their type as COMPLEX64, the JNI's code for "other") and convert back with {@code toType(FLOAT32)}.
 */
final class Bfloat16Cast {
    static final String RESOURCE = "to_bfloat16.pt";

    // One module for the JVM: it holds no state, and every model version and thread shares it (loading it per
    // version repeated the same work at each swap). Never closed: it lives as long as the engine.
    private static Bfloat16Cast shared;

    private final Model module;
    private final ParameterStore noParameters;

    /** The JVM's one cast module, loaded on first use; a failed load is retried by the next call. */
    static synchronized Bfloat16Cast shared() {
        if (shared == null) {
            shared = new Bfloat16Cast();
        }
        return shared;
    }

    private Bfloat16Cast() {
        module = Model.newInstance("to_bfloat16", Device.cpu(), "PyTorch");
        try (InputStream in = Bfloat16Cast.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + RESOURCE + " is missing from the serving jar");
            }
            module.load(in, Map.of());
        } catch (IOException | MalformedModelException | RuntimeException e) {
            module.close();
            throw new IllegalStateException("cannot load the bfloat16 cast module " + RESOURCE + ": " + e, e);
        }
        noParameters = new ParameterStore(module.getNDManager(), false);
    }

    /**
     * {@code x} in bfloat16, attached to {@code x}'s manager. Synchronized: DJL's symbol block is not documented as
     * safe for concurrent forward passes, and a cast takes microseconds.
     */
    synchronized NDArray cast(NDArray x) {
        return module.getBlock().forward(noParameters, new NDList(x), false).singletonOrThrow();
    }
}
