package io.streamlearn.trainer.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.ExampleJsonCodec;
import io.streamlearn.core.kafka.Topics;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.snapshot.ManifestMetrics;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.SnapshotStore;
import io.streamlearn.core.testkit.ExampleRecords;
import io.streamlearn.core.testkit.KafkaBrokerExtension;
import io.streamlearn.trainer.decode.DeadLetter;
import io.streamlearn.trainer.learn.RegressionStreams;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A regression stream through the trainer job: a Flink MiniCluster against the real embedded broker. */
class RegressionTrainerJobTest {
    @RegisterExtension
    static final KafkaBrokerExtension kafka = KafkaBrokerExtension.perClass();

    @TempDir
    Path store;

    @Test
    void learnsALinearFunctionOfTenFeaturesWithNoiseToAHoldoutR2Of095() throws Exception {
        Topics topics = kafka.topics();
        ModelSpec spec = ModelSpec.linearRegression("lin", 10, 1);
        List<Example> stream = RegressionStreams.linear(8000, 21, "e");
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        // Half binary (layout version 2), half JSON with "target": both forms reach the trainer.
        for (int i = 0; i < stream.size(); i++) {
            Example e = stream.get(i);
            records.add(i % 2 == 0 ? ExampleRecords.binary(topics.examples(), e)
                    : new ProducerRecord<>(topics.examples(), e.id().getBytes(StandardCharsets.UTF_8),
                            ExampleJsonCodec.encode(e)));
        }
        for (String bad : List.of("{\"id\":\"n1\",\"features\":[0,0,0,0,0,0,0,0,0,0],\"label\":1}",
                "{\"id\":\"n2\",\"features\":[0,0,0,0,0,0,0,0,0,0],\"target\":[1,2]}")) {
            records.add(new ProducerRecord<>(topics.examples(), bad.getBytes(StandardCharsets.UTF_8)));
        }
        ExampleRecords.send(kafka.bootstrapServers(), records);
        SnapshotStore snapshots = new SnapshotStore(store);
        TrainerConfig config = TrainerConfig.builder().setBootstrapServers(kafka.bootstrapServers()).setSpec(spec)
                .setStoreRoot(store.toString()).optTopicPrefix(topics.prefix()).optCheckpointIntervalMs(300)
                .optMaxWaitMs(50).build();
        JobClient job = TrainerJob.runLocal(config, new Configuration());
        try {
            await().atMost(Duration.ofSeconds(180)).until(() -> snapshots.latest("lin").map(m -> m.examplesSeen()
                    + (long) m.metric(ManifestMetrics.HOLDOUT_EXAMPLES) == stream.size()).orElse(false));
        } finally {
            job.cancel().get();
        }
        SnapshotManifest last = snapshots.latest("lin").orElseThrow();
        System.out.printf("regression stream: holdout R2 %.4f RMSE %.4f, prequential R2 %.4f MAE %.4f over %d "
                + "examples%n", last.metric(ManifestMetrics.HOLDOUT_R2), last.metric(ManifestMetrics.HOLDOUT_RMSE),
                last.metric(ManifestMetrics.PREQUENTIAL_R2), last.metric(ManifestMetrics.PREQUENTIAL_MAE),
                stream.size());
        assertThat(last.metric(ManifestMetrics.HOLDOUT_R2)).isGreaterThanOrEqualTo(0.95);
        assertThat(last.metric(ManifestMetrics.PREQUENTIAL_R2)).isGreaterThanOrEqualTo(0.95);
        List<String> reasons = kafka.reader(topics.examplesDlq()).readAtLeast(2).stream()
                .map(r -> new String(r.headers().lastHeader(DeadLetter.REASON_HEADER).value(), StandardCharsets.UTF_8))
                .toList();
        assertThat(reasons).hasSize(2).anyMatch(r -> r.contains("no target: a regression training example needs "
                + "'target'")).anyMatch(r -> r.contains("target has 2 values, expected 1"));
    }
}
