package io.streamlearn.monitor.metrics;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.hotspot.DefaultExports;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/** Registers simpleclient's JVM (hotspot) collectors (memory, GC, threads, classes, process) once per registry. */
public final class JvmMetrics {
    // DefaultExports.register throws when called twice on one registry: remember which ones have them.
    private static final Map<CollectorRegistry, Boolean> REGISTERED = Collections.synchronizedMap(new WeakHashMap<>());

    private JvmMetrics() {}

    /**
     * Adds the JVM collectors ({@code jvm_memory_bytes_used}, {@code jvm_gc_collection_seconds},
     * {@code jvm_threads_current}, {@code process_cpu_seconds_total}, ...) to {@code registry}; a second call
     * for the same registry does nothing.
     */
    public static void register(CollectorRegistry registry) {
        if (registry == null) {
            throw new IllegalArgumentException("JVM metrics need a registry; pass CollectorRegistry.defaultRegistry "
                    + "or the component's own");
        }
        synchronized (REGISTERED) {
            if (REGISTERED.putIfAbsent(registry, Boolean.TRUE) == null) {
                DefaultExports.register(registry);
            }
        }
    }
}
