package io.streamlearn.ingest.produce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamlearn.core.broker.EmbeddedKafkaBroker;
import io.streamlearn.core.testkit.KafkaBrokerExtension;
import io.streamlearn.ingest.source.SourceDefinition;
import io.streamlearn.ingest.source.SourceOptions;
import io.streamlearn.ingest.source.Sources;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class IngestorBrokerLossTest {
    // A broker of its own: the test stops it.
    @RegisterExtension
    static final KafkaBrokerExtension kafka = KafkaBrokerExtension.perTest();

    @Test
    void failsLoudlyWithinBoundedTimeWhenTheBrokerGoesAwayMidRun() throws Exception {
        SourceDefinition endless = Sources.resolve("synthetic:classification", SourceOptions.defaults());
        EmbeddedKafkaBroker broker = kafka.broker();
        Ingestor ingestor;
        CompletableFuture<IngestCounts> run;
        try {
            ingestor = Ingestor.builder().setBootstrapServers(broker.bootstrapServers()).setSource(endless)
                    .setSchema(endless.schemaHint()).setTopic(kafka.topic("loss"))
                    .setDeadLetterTopic(kafka.topic("loss.dlq"))
                    .optRatePerSecond(2000).optTimeout(Duration.ofSeconds(3)).build();
            Ingestor running = ingestor;
            run = CompletableFuture.supplyAsync(running::run);
            await().atMost(Duration.ofSeconds(30)).until(() -> running.counts().sent() >= 500 || run.isDone());
            assertThat(run).isNotDone();
        } finally {
            broker.close();
        }
        long stoppedAt = System.nanoTime();
        Throwable failure;
        try {
            run.get(30, TimeUnit.SECONDS);
            throw new AssertionError("ingest went on without a broker: " + ingestor.counts());
        } catch (ExecutionException e) {
            failure = e.getCause();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - stoppedAt)).isLessThan(Duration.ofSeconds(20));
        assertThat(failure).isInstanceOf(BrokerUnavailableException.class)
                .hasMessageContaining("did not answer within 3000 ms");
        IngestCounts c = ingestor.counts();
        assertThat(c.sent()).isGreaterThanOrEqualTo(500);
        assertThat(c.read()).isGreaterThan(c.sent() + c.rejected());
    }
}
