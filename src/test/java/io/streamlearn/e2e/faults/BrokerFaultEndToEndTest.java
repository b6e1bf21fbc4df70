package io.streamlearn.e2e.faults;

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
        try (KafkaCluster cluster = KafkaCluster.builder().optNodes(3).build().start()) {
            Topics topics = cluster.createTopics("three-brokers.", 2);
            // 16,000 examples at 400/s: the stream lasts 40 s, the fault falls in its middle.
            try (FaultPipeline pipeline = new FaultPipeline(cluster.bootstrapServers(), topics, store, 16_000, 400,
                    50)) {
                pipeline.awaitProgress(4_000, 50, FaultPipeline.RIDE_OUT);
                int victim = quorumLeader(cluster);
                cluster.stop(victim);
                // Two nodes of three keep min.insync.replicas: the platform goes on while the third is down.
                pipeline.awaitProgress(2_000, 50, FaultPipeline.RIDE_OUT);
                cluster.restart(victim);
                pipeline.assertNothingLostOrDuplicated();
            }
        }
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void singleBrokerDownForThirtySecondsTrainerAndServingResumeByThemselves() throws Exception {
        try (KafkaCluster broker = KafkaCluster.builder().optNodes(1).build().start()) {
            Topics topics = broker.createTopics("outage.", 2);
            try (FaultPipeline pipeline = new FaultPipeline(broker.bootstrapServers(), topics, store, 12_000, 400,
                    20)) {
                // 12,000 examples at 400/s: the outage falls in the middle of the 30 s stream.
                pipeline.awaitProgress(3_000, 20, FaultPipeline.RIDE_OUT);
                broker.stop(1);
                Thread.sleep(OUTAGE.toMillis()); // the fault itself is a duration, not a condition to wait on
                broker.restart(1);
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
