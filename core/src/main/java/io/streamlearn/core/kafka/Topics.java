package io.streamlearn.core.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The platform's topic names under one prefix (default {@value #DEFAULT_PREFIX}), and their creation.
 *
 * @param prefix prepended to every topic name, may be empty
 */
public record Topics(String prefix) {
    public static final String DEFAULT_PREFIX = "streamlearn.";

    public Topics {
        prefix = prefix == null ? DEFAULT_PREFIX : prefix;
        if (!prefix.isEmpty() && !prefix.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("topic prefix '" + prefix
                    + "' may contain only letters, digits, '.', '_' and '-'");
        }
    }

    public static Topics defaults() {
        return new Topics(DEFAULT_PREFIX);
    }

    /** Labeled examples, JSON or binary. */
    public String examples() {
        return prefix + "examples";
    }

    /** Examples that failed validation, with the reason in headers. */
    public String examplesDlq() {
        return prefix + "examples.dlq";
    }

    /** Compacted, key = model name: the manifest of the newest published version. */
    public String models() {
        return prefix + "models";
    }

    /** Prediction requests. */
    public String requests() {
        return prefix + "requests";
    }

    /** Predictions, keyed like the request. */
    public String predictions() {
        return prefix + "predictions";
    }

    /**
     * Predictions of the model that did not answer, for the same requests (same id, same codec): the challenger's in
     * shadow mode, the champion's for the canary share; the monitor compares the two on the labeled ones.
     */
    public String shadowPredictions() {
        return prefix + "predictions.shadow";
    }

    /** Requests that could not be answered, with the reason. */
    public String predictionsDlq() {
        return prefix + "predictions.dlq";
    }

    /** Late ground-truth labels keyed by id. */
    public String feedback() {
        return prefix + "feedback";
    }

    /**
     * Labels the label join did not turn into examples (late, unmatched, duplicate, contradictory, undecodable),
     * with the reason in headers.
     */
    public String feedbackDlq() {
        return prefix + "feedback.dlq";
    }

    /** Drift, quality-gate and lifecycle events. */
    public String events() {
        return prefix + "events";
    }

    public List<String> all() {
        return List.of(examples(), examplesDlq(), models(), requests(), predictions(), predictionsDlq(), feedback(),
                feedbackDlq(), events(), shadowPredictions());
    }

    /**
     * Creates every platform topic that does not exist yet, and waits until they are served; {@code models} is
     * compacted.
     *
     * @param partitions partitions of the data topics (examples, requests, predictions)
     * @param replication replication factor of all topics
     * @throws IllegalStateException when the topics cannot be created within 30 s
     */
    public void createAll(Admin admin, int partitions, short replication) {
        try {
            Set<String> existing = new HashSet<>(admin.listTopics().names().get(30, TimeUnit.SECONDS));
            List<NewTopic> missing = new ArrayList<>();
            for (String t : all()) {
                if (existing.contains(t)) {
                    continue;
                }
                boolean data = t.equals(examples()) || t.equals(requests()) || t.equals(predictions())
                        || t.equals(shadowPredictions());
                NewTopic nt = new NewTopic(t, data ? partitions : 1, replication);
                if (t.equals(models())) {
                    nt.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
                }
                missing.add(nt);
            }
            create(admin, missing, Duration.ofSeconds(30));
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create topics " + all() + ": " + e.getCause().getMessage(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("timed out after 30 s creating topics: is the broker reachable?", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }

    /**
     * Creates those of {@code names} that do not exist yet, with the broker's default partitions and replication,
     * and waits until they are served, each step within {@code timeout}. For a component that owns a topic or two
     * outside the platform's set (ingest's {@code --topic}); {@link #createAll} is for the platform's.
     *
     * @return the names it created
     * @throws ExecutionException when the broker refuses to create one (the cause says why); one created
     *                            meanwhile by someone else is not a failure
     * @throws TimeoutException   when the broker does not answer within {@code timeout}
     */
    public static List<String> createMissing(Admin admin, Collection<String> names, Duration timeout)
            throws ExecutionException, TimeoutException, InterruptedException {
        Set<String> existing = new HashSet<>(admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        List<NewTopic> missing = new ArrayList<>();
        for (String t : new LinkedHashSet<>(names)) {
            if (!existing.contains(t)) {
                missing.add(new NewTopic(t, Optional.empty(), Optional.empty()));
            }
        }
        create(admin, missing, timeout);
        return missing.stream().map(NewTopic::name).toList();
    }

    private static void create(Admin admin, List<NewTopic> topics, Duration timeout)
            throws ExecutionException, TimeoutException, InterruptedException {
        if (topics.isEmpty()) {
            return;
        }
        try {
            admin.createTopics(topics).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            // Another process creating the same topic at the same moment is what we wanted anyway.
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
        awaitLeaders(admin, topics.stream().map(NewTopic::name).toList(), timeout);
    }

    /**
     * Waits until the leader of every partition of {@code names} serves it. Metadata names a leader
     * a moment before its replica manager takes the partition; a producer that writes then gets
     * NOT_LEADER_OR_FOLLOWER, and an idempotent one with pipelined batches can be stuck on
     * OUT_OF_ORDER_SEQUENCE_NUMBER until its delivery timeout. ListOffsets is answered by the
     * replica manager itself, so its success is the signal.
     */
    private static void awaitLeaders(Admin admin, List<String> names, Duration timeout)
            throws TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long stepMs = Math.min(10_000, Math.max(1, timeout.toMillis()));
        while (true) {
            try {
                Map<TopicPartition, OffsetSpec> request = new HashMap<>();
                for (var d : admin.describeTopics(names).allTopicNames().get(stepMs, TimeUnit.MILLISECONDS).values()) {
                    for (var p : d.partitions()) {
                        request.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest());
                    }
                }
                admin.listOffsets(request).all().get(stepMs, TimeUnit.MILLISECONDS);
                return;
            } catch (ExecutionException e) {
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("partitions of " + names + " are not served after "
                            + timeout.toMillis() + " ms: " + e.getCause().getMessage());
                }
                Thread.sleep(20);
            }
        }
    }
}
