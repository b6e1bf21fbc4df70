package io.streamlearn.serving;

import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.Gauge;
import io.prometheus.client.Histogram;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import java.util.function.DoubleSupplier;

/**
 * The serving metrics of one {@link PredictionService}, registered into the registry it was given; the model slot,
 * the Kafka loop and the HTTP endpoint record into it through one method per event.
 */
public final class ServingMetrics {
    static final String OUTCOME_SERVED = "served";
    static final String OUTCOME_REJECTED = "rejected";

    private final CollectorRegistry registry;
    private final Counter.Child served;
    private final Counter.Child rejected;
    private final Gauge modelVersion;
    private final Counter swaps;
    private final Counter refusedSnapshots;
    private final Counter foreignSnapshots;
    private final Counter untrustedSnapshots;
    private final Histogram latency;
    private final Histogram batchSize;
    private final Counter httpRequests;
    private final Gauge challengerVersion;
    private final Counter shadowPredictions;
    private final Counter canaryAnswered;
    private final Counter challengerErrors;
    private final List<Collector> all;
    private final List<KafkaClientMetrics> consumers = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * @param modelAgeSeconds age of the serving snapshot, read at each scrape (NaN while none is serving)
     */
    ServingMetrics(CollectorRegistry registry, DoubleSupplier modelAgeSeconds) {
        this.registry = registry;
        Counter requests = Counter.build("streamlearn_serving_requests_total",
                "Prediction requests handled (Kafka and HTTP), by outcome: served (a prediction was written or "
                        + "returned) or rejected (sent to the predictions dead-letter topic, or answered 400).").labelNames("outcome").create();
        this.served = requests.labels(OUTCOME_SERVED);
        this.rejected = requests.labels(OUTCOME_REJECTED);
        this.modelVersion = Gauge.build("streamlearn_model_version",
                "Snapshot version currently serving predictions, 0 before the first model is loaded.").create();
        this.swaps = Counter.build("streamlearn_serving_swaps_total",
                "Snapshot versions put into service, the first one included.").create();
        this.refusedSnapshots = Counter.build("streamlearn_serving_refused_snapshots_total",
                "Snapshots refused by serving (checksum mismatch, spec mismatch, load or warm-up failure).").create();
        this.foreignSnapshots = Counter.build("streamlearn_serving_foreign_snapshots_total",
                "Snapshots refused because another snapshot store or another lineage published them than the one "
                        + "serving follows (a re-created store, a second trainer publishing the same model name, a "
                        + "trainer restarted with --fresh); also counted in "
                        + "streamlearn_serving_refused_snapshots_total.").create();
        this.untrustedSnapshots = Counter.build("streamlearn_serving_untrusted_snapshots_total",
                "Manifests refused because they are unsigned or their signature does not verify with "
                        + "--verify-key-file; also counted in streamlearn_serving_refused_snapshots_total.").create();
        this.latency = Histogram.build("streamlearn_serving_latency_seconds",
                "Time from a request's arrival at serving to its prediction, in seconds.")
                .buckets(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5).create();
        this.batchSize = Histogram.build("streamlearn_serving_batch_size",
                "Requests per forward pass.")
                .buckets(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096, 16384, 65536).create();
        Gauge modelAge = Gauge.build("streamlearn_model_age_seconds",
                "Seconds since the serving snapshot was published (its manifest's created_ms), NaN before the "
                        + "first model is loaded.").create();
        // Computed at scrape time, so the age grows between swaps without a timer thread.
        modelAge.setChild(new Gauge.Child() {
            @Override
            public double get() {
                return modelAgeSeconds.getAsDouble();
            }
        });
        this.httpRequests = Counter.build("streamlearn_serving_http_requests_total",
                "HTTP requests answered by the serving endpoint, by path and status code.")
                .labelNames("path", "code").create();
        this.challengerVersion = Gauge.build("streamlearn_serving_challenger_version",
                "Snapshot version running as challenger beside the champion (streamlearn_model_version), 0 when "
                        + "none.").create();
        this.shadowPredictions = Counter.build("streamlearn_serving_shadow_predictions_total",
                "Predictions written to the predictions.shadow topic: the challenger's score of a request the "
                        + "champion answered, or the champion's of one a canary answered.").create();
        this.canaryAnswered = Counter.build("streamlearn_serving_canary_answers_total",
                "Requests answered by the challenger in canary mode (also counted as served).").create();
        this.challengerErrors = Counter.build("streamlearn_serving_challenger_errors_total",
                "Failures of the challenger's forward pass or of writing a shadow prediction; the request is "
                        + "answered by the champion all the same.").create();
        this.all = List.of(requests, modelVersion, swaps, refusedSnapshots, foreignSnapshots, untrustedSnapshots, latency,
                batchSize, modelAge, httpRequests, challengerVersion, shadowPredictions, canaryAnswered,
                challengerErrors);
        for (Collector c : all) {
            registry.register(c);
        }
    }

    /** {@code n} requests answered with a prediction. */
    public void served(long n) {
        served.inc(n);
    }

    /** {@code n} requests dead-lettered or answered 400. */
    public void rejected(long n) {
        rejected.inc(n);
    }

    /** One request's time from arrival to prediction. */
    public void latency(double seconds) {
        latency.observe(seconds);
    }

    /** One forward pass over {@code rows} requests. */
    public void batch(int rows) {
        batchSize.observe(rows);
    }

    /** Version {@code version} was put into service. */
    public void swapped(long version) {
        modelVersion.set(version);
        swaps.inc();
    }

    /** Version {@code version} runs as challenger now; 0: none does. */
    public void challenger(long version) {
        challengerVersion.set(version);
    }

    /**
     * One challenger outcome: a shadow prediction acknowledged by Kafka ({@code shadowWritten}), {@code canaryAnswers}
     * requests answered by the canary, or a failure of the challenger's pass or of a shadow write ({@code failed}).
     */
    public void challengerOutcome(boolean shadowWritten, long canaryAnswers, boolean failed) {
        if (shadowWritten) {
            shadowPredictions.inc();
        }
        canaryAnswered.inc(canaryAnswers);
        if (failed) {
            challengerErrors.inc();
        }
    }

    /** A snapshot was refused. */
    public void refusedSnapshot() {
        refusedSnapshots.inc();
    }

    /** A snapshot from another store or lineage than serving's was refused (it is counted as refused too). */
    public void foreignSnapshot() {
        foreignSnapshots.inc();
    }

    /** An unsigned or mis-signed manifest was refused (it is counted as refused too). */
    public void untrustedSnapshot() {
        untrustedSnapshots.inc();
    }

    /** One HTTP request on {@code path} answered with {@code status}. */
    public void httpRequest(String path, int status) {
        httpRequests.labels(path, Integer.toString(status)).inc();
    }

    /**
     * Exports the lag of a consumer ({@code streamlearn_kafka_consumer_lag_records{component="serving"}}) until the
     * returned handle is closed, which the consumer's owner does before closing the consumer.
     *
     * @param consumerMetrics usually {@code consumer::metrics}
     */
    public KafkaClientMetrics consumerLag(Supplier<? extends Map<MetricName, ? extends Metric>> consumerMetrics) {
        KafkaClientMetrics k = KafkaClientMetrics.register(registry, "serving", consumerMetrics);
        consumers.add(k);
        return k;
    }

    void unregister() {
        for (Collector c : all) {
            registry.unregister(c);
        }
        for (KafkaClientMetrics k : consumers) {
            k.close();
        }
    }
}
