package io.streamlearn.trainer.learn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import java.lang.reflect.Field;
import java.util.Deque;
import java.util.IdentityHashMap;

/**
 * Counts the NDArrays DJL creates on this thread while it is open. Every NDArray is a native tensor
 * handle: one JNI call (and usually one allocation) to make it and one to free it, so the count is a
 * reliable, deterministic measure of a step's native work. DJL registers each new array with the
 * innermost open {@link NDScope}; this scope counts those registrations and, unlike NDScope, closes
 * nothing when it closes (the arrays it saw, parameters and optimizer state among them, must live on).
 * Arrays created inside a nested NDScope are not counted.
 */
final class ArrayCounter extends NDScope {
    private final Counting created = new Counting();

    ArrayCounter() {
        try {
            Field resources = NDScope.class.getDeclaredField("resources");
            resources.setAccessible(true);
            resources.set(this, created);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("DJL's NDScope changed: cannot count arrays", e);
        }
    }

    /** Arrays created since this counter opened. */
    int created() {
        return created.puts;
    }

    @Override
    public void close() {
        try {
            Field stack = NDScope.class.getDeclaredField("SCOPE_STACK");
            stack.setAccessible(true);
            ((Deque<?>) ((ThreadLocal<?>) stack.get(null)).get()).remove(this);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("DJL's NDScope changed: cannot close the counter", e);
        }
    }

    private static final class Counting extends IdentityHashMap<NDArray, NDArray> {
        private int puts;

        @Override
        public NDArray put(NDArray key, NDArray value) {
            puts++;
            return super.put(key, value);
        }
    }
}
