package io.streamlearn.serving.http;

import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.Features;
import io.streamlearn.core.prediction.Prediction;
import io.streamlearn.serving.ServingConfig;
import io.streamlearn.serving.ServingMetrics;
import io.streamlearn.serving.model.LoadedModel;
import io.streamlearn.serving.model.ServingModel;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Micro-batches HTTP prediction requests into forward passes of the serving model, by the request
 * loop's rules: up to {@code maxBatch} rows or {@code maxWaitMicros}, one retained model per batch, the
 * same checks ({@link LoadedModel#rejectReason}) and the same metrics. HTTP rows are not mixed into the
 * Kafka loop's batches: that loop's offsets and transactions cover Kafka records only.
 */
public final class HttpBatcher implements Runnable {
    /** HTTP requests waiting for a forward pass; beyond this the endpoint answers 503. */
    static final int MAX_QUEUED_REQUESTS = 1024;

    private static final Logger LOG = LoggerFactory.getLogger(HttpBatcher.class);

    private final ServingModel model;
    private final ServingMetrics metrics;
    private final Clock clock;
    private final int maxBatch;
    private final long maxWaitNanos;
    private final BlockingQueue<Job> queue = new ArrayBlockingQueue<>(MAX_QUEUED_REQUESTS);
    private final List<Job> jobs = new ArrayList<>();
    private final List<Features> rows = new ArrayList<>();
    private volatile boolean running = true;

    /** A batcher by {@code config}'s batch rules, answering with {@code model}; run it on its own thread. */
    public HttpBatcher(ServingConfig config, ServingModel model, ServingMetrics metrics) {
        this.model = model;
        this.metrics = metrics;
        this.clock = config.clock();
        this.maxBatch = config.maxBatch();
        this.maxWaitNanos = config.maxWaitMicros() * 1_000L;
    }

    /** Queues {@code examples} (one HTTP request) for the next forward pass; the result keeps their order. */
    CompletableFuture<List<Prediction>> submit(List<Example> examples) {
        Job job = new Job(examples, nanos(clock.instant()));
        if (!running) {
            job.result.completeExceptionally(new HttpStatusException(503, "the prediction service is shutting down"));
        } else if (!queue.offer(job)) {
            job.result.completeExceptionally(new HttpStatusException(503, MAX_QUEUED_REQUESTS + " HTTP requests "
                    + "are already waiting for a forward pass; retry, or add serving instances"));
        }
        return job.result;
    }

    @Override
    public void run() {
        try {
            while (running) {
                Job first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                jobs.clear();
                jobs.add(first);
                int size = first.examples.size();
                long deadline = System.nanoTime() + maxWaitNanos;
                while (size < maxBatch) {
                    long remaining = deadline - System.nanoTime();
                    // Past the wait, calls already queued still join: with the latency profile's wait of 0 they are
                    // the batch, as a Kafka batch is what one poll returned.
                    Job next = remaining > 0 ? queue.poll(remaining, TimeUnit.NANOSECONDS) : queue.poll();
                    if (next == null) {
                        break;
                    }
                    jobs.add(next);
                    size += next.examples.size();
                }
                answer();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            Job j;
            while ((j = queue.poll()) != null) {
                j.result.completeExceptionally(new HttpStatusException(503, "the prediction service is shutting down"));
            }
        }
    }

    /** Ends the loop within its idle poll; requests still queued are answered 503. */
    public void stop() {
        running = false;
    }

    private void answer() {
        LoadedModel model = this.model.acquire();
        if (model == null) {
            for (Job j : jobs) {
                j.result.completeExceptionally(new HttpStatusException(503, "no model is loaded yet: wait until "
                        + "GET /readyz answers 200"));
            }
            return;
        }
        try {
            rows.clear();
            List<Job> accepted = new ArrayList<>(jobs.size());
            for (Job j : jobs) {
                String reason = firstRejection(model, j.examples);
                if (reason != null) {
                    metrics.rejected(j.examples.size());
                    j.result.completeExceptionally(new HttpStatusException(400, reason));
                } else {
                    accepted.add(j);
                    for (Example e : j.examples) {
                        rows.add(e.features());
                    }
                }
            }
            if (rows.isEmpty()) {
                return;
            }
            LoadedModel.Scored[] scored = new LoadedModel.Scored[rows.size()];
            try {
                for (int from = 0; from < rows.size(); from += maxBatch) {
                    int to = Math.min(rows.size(), from + maxBatch);
                    metrics.batch(to - from);
                    LoadedModel.Scored[] part = model.predict(rows.subList(from, to));
                    System.arraycopy(part, 0, scored, from, part.length);
                }
            } catch (RuntimeException e) {
                LOG.error("forward pass of {} HTTP rows on {} failed: {}", rows.size(), model, e.toString(), e);
                for (Job j : accepted) {
                    j.result.completeExceptionally(new HttpStatusException(500, "inference failed on model "
                            + model.name() + " v" + model.version() + " (the server log has the cause)"));
                }
                return;
            }
            long now = nanos(clock.instant());
            int row = 0;
            for (Job j : accepted) {
                double latencySeconds = Math.max(0L, now - j.arrivalNanos) / 1e9;
                List<Prediction> out = new ArrayList<>(j.examples.size());
                for (Example e : j.examples) {
                    LoadedModel.Scored s = scored[row++];
                    metrics.latency(latencySeconds);
                    out.add(new Prediction(e.id(), s.label(), s.scores(), model.name(), model.version(),
                            (float) (latencySeconds * 1e3), s.value()));
                }
                metrics.served(out.size());
                j.result.complete(out);
            }
        } finally {
            model.release();
        }
    }

    private static String firstRejection(LoadedModel model, List<Example> examples) {
        for (int i = 0; i < examples.size(); i++) {
            String reason = model.rejectReason(examples.get(i).features());
            if (reason != null) {
                return (examples.size() > 1 ? "request " + i + " (id " + examples.get(i).id() + "): "
                        : examples.get(i).id() + ": ") + reason;
            }
        }
        return null;
    }

    private static long nanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    private static final class Job {
        final List<Example> examples;
        final long arrivalNanos;
        final CompletableFuture<List<Prediction>> result = new CompletableFuture<>();

        Job(List<Example> examples, long arrivalNanos) {
            this.examples = examples;
            this.arrivalNanos = arrivalNanos;
        }
    }
}
