package io.streamlearn.serving;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * CPU time of this JVM's threads, grouped by role, for {@link ServingBench}'s per-record breakdown: CPU per record
 * barely moves when other processes load the host, where rates do, so it shows which thread a change made cheaper.
 */
final class ThreadCpu {
    private final Map<String, Long> nanos;

    private ThreadCpu(Map<String, Long> nanos) {
        this.nanos = nanos;
    }

    /** The CPU time so far of every live thread, summed by role. */
    static ThreadCpu now() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Map<String, Long> byRole = new HashMap<>();
        for (ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds())) {
            long cpu = t == null ? -1 : mx.getThreadCpuTime(t.getThreadId());
            if (cpu > 0) {
                byRole.merge(role(t.getThreadName()), cpu, Long::sum);
            }
        }
        return new ThreadCpu(byRole);
    }

    /** Microseconds of CPU per record since {@code before}, by role, largest first (roles under 0.05 us left out). */
    String perRecordSince(ThreadCpu before, long records) {
        Map<String, Double> us = new HashMap<>();
        nanos.forEach((role, n) -> us.put(role, (n - before.nanos.getOrDefault(role, 0L)) / 1e3 / records));
        double total = us.values().stream().mapToDouble(Double::doubleValue).sum();
        return String.format(Locale.ROOT, "total %.2f us: ", total) + us.entrySet().stream()
                .filter(e -> e.getValue() >= 0.05).sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .map(e -> String.format(Locale.ROOT, "%s %.2f", e.getKey(), e.getValue()))
                .collect(Collectors.joining(", "));
    }

    /** The broker's many threads are one role, as are the producers' I/O threads; others keep their names. */
    private static String role(String name) {
        if (name.startsWith("kafka-producer-network-thread")) {
            return "producer-io";
        }
        if (name.startsWith("data-plane-") || name.startsWith("kafka-") || name.startsWith("broker-")
                || name.startsWith("controller-") || name.startsWith("quorum-") || name.startsWith("group-coordinator")
                || name.startsWith("ExpirationReaper") || name.startsWith("LogDirFailureHandler")
                || name.startsWith("share-") || name.startsWith("transaction-")) {
            return "broker";
        }
        return name.replaceAll("-\\d+$", "");
    }
}
