package io.streamlearn.e2e.faults;

import static org.awaitility.Awaitility.await;
import io.streamlearn.core.kafka.Topics;
import io.streamlearn.core.testkit.KafkaCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ingest, the trainer and serving on real brokers that fail while they run: a node of a three-broker cluster
 * stopped and started again, and a single broker down for {@link #OUTAGE}. Nobody restarts a component: each must
 * resume by itself, train every example exactly once and answer every request.
 */
class BrokerFaultEndToEndTest {
    /** How long the single broker stays down: the 30 s, longer than a Kafka client's default request timeout. */
    static final Duration OUTAGE = Duration.ofSeconds(30);

    @TempDir
    Path store;

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void threeBrokerClusterLosesTheControllerLeaderMidStreamAndNothingIsLostOrTrainedTwice() throws Exception {
        // 16,000 examples at 400/s: the stream lasts 40 s, the fault falls in its middle.
        streamThrough(3, "three-brokers.", 16_000, 50, (cluster, pipeline) -> {
            pipeline.awaitProgress(4_000, 50, FaultPipeline.RIDE_OUT);
            int victim = quorumLeader(cluster);
            cluster.stop(victim);
            // Two nodes of three keep min.insync.replicas: the platform goes on while the third is down.
            pipeline.awaitProgress(2_000, 50, FaultPipeline.RIDE_OUT);
            cluster.restart(victim);
        });
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void singleBrokerDownForThirtySecondsTrainerAndServingResumeByThemselves() throws Exception {
        // 12,000 examples at 400/s: the outage falls in the middle of the 30 s stream.
        streamThrough(1, "outage.", 12_000, 20, (broker, pipeline) -> {
            pipeline.awaitProgress(3_000, 20, FaultPipeline.RIDE_OUT);
            broker.stop(1);
            // The fault lasts OUTAGE; every component must ride it out rather than fail, checked all along.
            await().during(OUTAGE).atMost(OUTAGE.plusSeconds(30)).until(() -> {
                pipeline.failIfBroken();
                return true;
            });
            broker.restart(1);
        });
    }

    /** What a test does to the brokers while the pipeline runs; it returns with every node serving again. */
    private interface Fault {
        void inject(KafkaCluster cluster, FaultPipeline pipeline) throws Exception;
    }

    /**
     * Streams {@code examples} at 400/s and requests at {@code requestsPerSecond} through the platform on a cluster
     * of {@code nodes} brokers, lets {@code fault} strike, and asserts every example trained once, every request
     * answered.
     */
    private void streamThrough(int nodes, String prefix, long examples, double requestsPerSecond, Fault fault)
            throws Exception {
        try (KafkaCluster cluster = KafkaCluster.withNodes(nodes).start()) {
            Topics topics = cluster.createTopics(prefix, 2);
            try (FaultPipeline pipeline = new FaultPipeline(cluster.bootstrapServers(), topics, store, examples, 400,
                    requestsPerSecond)) {
                fault.inject(cluster, pipeline);
                pipeline.assertNothingLostOrDuplicated();
            }
        }
    }

    private static int quorumLeader(KafkaCluster cluster) throws Exception {
        try (Admin admin = cluster.admin()) {
            return admin.describeMetadataQuorum().quorumInfo().get(30, TimeUnit.SECONDS).leaderId();
        }
    }
}
