package io.streamlearn.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Per-thread CPU time of a set of processes from {@code /proc/<pid>/task/<tid>/stat} (user + system), to see where a
 * benchmark's CPU goes without a profiler and without being distorted by load: a thread's CPU time counts only what
 * it ran. Threads are grouped by process and by their name with its number folded ({@code GC Thread#1} → {@code GC
 * Thread#n}, but {@code C1 CompilerThre} and {@code C2 CompilerThre} apart); Linux keeps only 15 characters of a name. Empty off Linux.
 * Beside the CPU time, how long each group was runnable but waited for a core ({@code schedstat}'s run delay): a
 * thread that is slow while using little CPU either waits for work or, when this is large, for a core.
 */
public final class ThreadCpu {
    /** USER_HZ, the unit of utime and stime: 100 on every Linux this runs on ({@code getconf CLK_TCK}). */
    private static final double TICKS_PER_S = 100.0;

    /** Ticks per thread, keyed {@code process|tid|name}. */
    private final Map<String, Long> ticks;
    /** Nanoseconds runnable on a run queue but not running, per thread, keyed like {@link #ticks}. */
    private final Map<String, Long> runDelay;

    private ThreadCpu(Map<String, Long> ticks, Map<String, Long> runDelay) {
        this.ticks = ticks;
        this.runDelay = runDelay;
    }

    /** The CPU time of every thread of the {@code processes} (name → pid) now. */
    public static ThreadCpu sample(Map<String, Long> processes) {
        Map<String, Long> ticks = new HashMap<>();
        Map<String, Long> runDelay = new HashMap<>();
        processes.forEach((name, pid) -> {
            Path tasks = Path.of("/proc", Long.toString(pid), "task");
            try (Stream<Path> tids = Files.list(tasks)) {
                for (Path t : tids.toList()) {
                    try {
                        String stat = Files.readString(t.resolve("stat"));
                        int open = stat.indexOf('(');
                        int close = stat.lastIndexOf(')');
                        String comm = stat.substring(open + 1, close);
                        String[] f = stat.substring(close + 2).split(" ");
                        // After the name: state is field 3, utime 14 and stime 15 (proc(5)).
                        long cpu = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                        String key = name + "|" + t.getFileName() + "|" + comm;
                        ticks.put(key, cpu);
                        // schedstat: time on a CPU, time waiting on a run queue (ns), timeslices.
                        String[] sched = Files.readString(t.resolve("schedstat")).trim().split(" ");
                        runDelay.put(key, Long.parseLong(sched[1]));
                    } catch (IOException | RuntimeException e) {
                        // The thread ended between the listing and the read: it ran nothing we can attribute.
                    }
                }
            } catch (IOException e) {
                // The process ended or this is not Linux: nothing to attribute.
            }
        });
        return new ThreadCpu(ticks, runDelay);
    }

    /**
     * The CPU seconds each {@code process: thread group} used between {@code before} and this sample, largest first,
     * as one line per group; threads that ended in between are not counted.
     */
    public String since(ThreadCpu before, double minSeconds) {
        Map<String, Double> groups = new TreeMap<>();
        Map<String, Double> waits = new TreeMap<>();
        ticks.forEach((key, t) -> {
            long d = t - before.ticks.getOrDefault(key, 0L);
            String[] k = key.split("\\|", 3);
            String group = k[0] + ": " + k[2].replaceAll("#[0-9]+|-?[0-9]+$", "#n");
            groups.merge(group, d / TICKS_PER_S, Double::sum);
            long waited = runDelay.getOrDefault(key, 0L) - before.runDelay.getOrDefault(key, 0L);
            waits.merge(group, waited / 1e9, Double::sum);
        });
        StringBuilder sb = new StringBuilder();
        groups.entrySet().stream().filter(e -> e.getValue() >= minSeconds)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> sb.append(String.format(Locale.ROOT, "  %7.2f s  (%5.2f s waiting for a core)  %s%n",
                        e.getValue(), waits.getOrDefault(e.getKey(), 0.0), e.getKey())));
        return sb.toString();
    }
}
