package io.streamlearn.core.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlearn.core.example.CodecException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class EventCodecTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void driftEventsRoundTripThroughTheirJson() {
        DriftEvent e = new DriftEvent("mlp", "trainer", "adwin", DriftEvent.PREQUENTIAL_ERROR, 51_200, 7, 0.31,
                1_700_000_000_000L);
        byte[] json = EventCodec.encode(e);
        assertThat(new String(json, StandardCharsets.UTF_8)).startsWith("{\"type\":\"drift\",\"component\":\"trainer\"");
        assertThat(EventCodec.decode(json)).isEqualTo(e);
        DriftEvent nan = new DriftEvent("m", "monitor", "page-hinkley", DriftEvent.SERVED_ERROR, 3, 0, Double.NaN, 1);
        assertThat(EventCodec.decode(EventCodec.encode(nan))).isEqualTo(nan);
        byte[] refusal = utf8("{\"type\":\"snapshot_refused\",\"model\":\"m\"}");
        assertThat(EventCodec.decode(utf8("{\"type\":\"snapshot_refused\",\"model\":\"m\",\"component\":\"serving\","
                + "\"reason\":\"r\"}"))).isNotInstanceOf(DriftEvent.class);
        assertThatThrownBy(() -> EventCodec.decode(refusal)).isInstanceOf(CodecException.class)
                .hasMessageContaining("snapshot_refused").hasMessageContaining("'component'");
    }

    @Test
    void everyKindRoundTripsOverGeneratedValues() {
        Random r = new Random(11);
        for (int i = 0; i < 500; i++) {
            String model = "m" + r.nextInt(1000);
            PlatformEvent e = switch (i % 7) {
                case 0 -> new DriftEvent(model, PlatformEvent.TRAINER, "adwin", DriftEvent.PREQUENTIAL_ERROR,
                        r.nextInt(1 << 20), r.nextInt(100), r.nextDouble(), r.nextLong() & Long.MAX_VALUE);
                case 1 -> SnapshotRefusedEvent.byTrainer(model, r.nextInt(1000), r.nextInt(1 << 20),
                        "holdout accuracy \"" + r.nextDouble() + "\" below the published version\n",
                        r.nextLong() & Long.MAX_VALUE);
                case 2 -> new SnapshotPublishFailedEvent(model, PlatformEvent.TRAINER, r.nextInt(1000),
                        r.nextInt(1 << 20), "cannot publish snapshot to /store/" + model + ": Not a directory",
                        r.nextLong() & Long.MAX_VALUE);
                case 4 -> new ChallengerPromotedEvent(model, PlatformEvent.MONITOR, 2 + r.nextInt(100),
                        1 + r.nextInt(2), r.nextInt(1 << 20), r.nextDouble(), r.nextDouble(),
                        r.nextLong() & Long.MAX_VALUE);
                case 5 -> new ChallengerRefusedEvent(model, PlatformEvent.MONITOR, 2 + r.nextInt(100),
                        1 + r.nextInt(2), r.nextInt(1 << 20), r.nextDouble(), r.nextDouble(),
                        r.nextLong() & Long.MAX_VALUE);
                case 6 -> new ModelRolledBackEvent(model, PlatformEvent.MONITOR, 1 + r.nextInt(2),
                        2 + r.nextInt(100), r.nextInt(1 << 20), r.nextDouble(), r.nextDouble(),
                        r.nextLong() & Long.MAX_VALUE);
                default -> SnapshotRefusedEvent.byServing(model, 1 + r.nextInt(100), r.nextInt(100),
                        "sha256 mismatch \u00e9", r.nextLong() & Long.MAX_VALUE);
            };
            assertThat(EventCodec.decode(EventCodec.encode(e))).isEqualTo(e);
        }
    }

    @Test
    void refusalsKeepTheFieldsBothRefusersWroteBefore() {
        SnapshotRefusedEvent byServing = (SnapshotRefusedEvent) EventCodec.decode(utf8("{\"type\":\"snapshot_refused\","
                + "\"model\":\"mlp\",\"version\":2,\"reason\":\"sha256\",\"component\":\"serving\","
                + "\"serving_version\":1,\"time_ms\":5}"));
        assertThat(byServing).isEqualTo(SnapshotRefusedEvent.byServing("mlp", 2, 1, "sha256", 5));
        SnapshotRefusedEvent byTrainer = (SnapshotRefusedEvent) EventCodec.decode(utf8("{\"type\":\"snapshot_refused\","
                + "\"component\":\"trainer\",\"model\":\"blobs\",\"checkpoint_id\":4,\"examples_seen\":900,"
                + "\"reason\":\"NaN or infinity\",\"time_ms\":6}"));
        assertThat(byTrainer).isEqualTo(SnapshotRefusedEvent.byTrainer("blobs", 4, 900, "NaN or infinity", 6));
        assertThat(byTrainer.version()).as("refused before it had a version").isZero();
    }

    @Test
    void refusesUnknownTypesNamingThem() {
        assertThatThrownBy(() -> EventCodec.decode(utf8("{\"type\":\"snapshot_exploded\",\"model\":\"m\"}")))
                .isInstanceOf(CodecException.class).hasMessageContaining("'snapshot_exploded'")
                .hasMessageContaining("drift").hasMessageContaining("snapshot_refused");
        assertThatThrownBy(() -> EventCodec.decode(utf8("[1]"))).hasMessageContaining("JSON object");
        assertThatThrownBy(() -> EventCodec.decode(utf8("{"))).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> EventCodec.decode(utf8("{\"type\":\"drift\",\"model\":\"m\",\"component\":\"c\","
                + "\"detector\":\"adwin\",\"signal\":\"s\"}"))).hasMessageContaining("'examples_seen'");
    }

    @Test
    void recordsAreKeyedByModelAndSayTheyAreJson() {
        PlatformEvent e = SnapshotRefusedEvent.byServing("mlp", 3, 2, "contract", 9);
        ProducerRecord<byte[], byte[]> r = EventCodec.record("streamlearn.events", e);
        assertThat(r.topic()).isEqualTo("streamlearn.events");
        assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("mlp");
        assertThat(new String(r.headers().lastHeader("content-type").value(), StandardCharsets.UTF_8))
                .isEqualTo("application/json");
        assertThat(EventCodec.decode(r.value())).isEqualTo(e);
    }
}
