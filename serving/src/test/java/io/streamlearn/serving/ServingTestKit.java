package io.streamlearn.serving;

import static org.awaitility.Awaitility.await;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.prometheus.client.CollectorRegistry;
import io.streamlearn.core.example.ContentTypes;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.example.ExampleJsonCodec;
import io.streamlearn.core.example.Features;
import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.kafka.Topics;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.core.model.NetworkBuilder;
import io.streamlearn.core.snapshot.SnapshotDraft;
import io.streamlearn.core.snapshot.SnapshotManifest;
import io.streamlearn.core.snapshot.SnapshotStore;
import io.streamlearn.core.testkit.KafkaBrokerExtension;
import io.streamlearn.core.snapshot.ModelPromotion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Test helpers of every serving package: real DJL snapshots in a real store, requests and announcements, and
 * {@link OnEmbeddedBroker}, a test's own topics, group and store on the core test kit's broker.
 */
public final class ServingTestKit {
    private ServingTestKit() {}

    /** A DJL model of {@code spec} with freshly initialized parameters; the caller closes it. */
    public static Model initializedModel(ModelSpec spec) {
        Model model = Model.newInstance(spec.name(), Device.cpu());
        model.setBlock(NetworkBuilder.build(spec));
        model.getBlock().initialize(model.getNDManager(), DataType.FLOAT32, NetworkBuilder.inputShape(spec, 1));
        return model;
    }

    /** The DJL parameter file of {@code model}, as {@code Model.save} writes it. */
    public static byte[] paramsOf(Model model) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("serving-test-params-");
            model.save(dir, model.getName());
            return Files.readAllBytes(dir.resolve(SnapshotStore.paramsFileName(model.getName())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteTree(dir);
        }
    }

    /** Publishes freshly initialized parameters of {@code spec} as its next version. */
    public static SnapshotManifest publish(SnapshotStore store, ModelSpec spec) {
        try (Model model = initializedModel(spec)) {
            return publish(store, spec, paramsOf(model));
        }
    }

    public static SnapshotManifest publish(SnapshotStore store, ModelSpec spec, byte[] params) {
        long parent = store.latestVersion(spec.name());
        return store.publish(new SnapshotDraft(spec, params, 1000, 10, -1, parent, "PyTorch", "cpu",
                Map.of("prequential_accuracy", 0.5), Map.of("topic", "test")));
    }

    /** Flips one byte in the middle of a published parameter file. */
    public static void corruptParams(SnapshotStore store, SnapshotManifest m) throws IOException {
        Path file = store.directory(m.model(), m.version()).resolve(m.paramsFile());
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x5A;
        Files.write(file, bytes);
    }

    /** Class probabilities the model computes for one row, straight through DJL. */
    public static float[] probabilities(Model model, float[] row) {
        try (NDManager m = model.getNDManager().newSubManager()) {
            NDArray x = m.create(row, new Shape(1, row.length));
            return model.getBlock().forward(new ParameterStore(m, false), new NDList(x), false)
                    .singletonOrThrow().softmax(1).toFloatArray();
        }
    }

    public static void announce(KafkaProducer<byte[], byte[]> producer, Topics topics, SnapshotManifest m) {
        producer.send(new ProducerRecord<>(topics.models(), utf8(m.model()), m.toJsonBytes()));
        producer.flush();
    }

    /** Re-announces {@code m} as an operator's promotion, as {@code streamlearn models promote} does. */
    public static void promote(KafkaProducer<byte[], byte[]> producer, Topics topics, SnapshotManifest m) {
        producer.send(ModelPromotion.record(topics, m, System.currentTimeMillis()));
        producer.flush();
    }

    public static ProducerRecord<byte[], byte[]> jsonRequest(Topics topics, String id, float[] features) {
        RecordHeaders h = new RecordHeaders();
        h.add(ContentTypes.HEADER, utf8(ContentTypes.JSON));
        return new ProducerRecord<>(topics.requests(), null, utf8(id),
                ExampleJsonCodec.encode(Example.request(id, Features.ofFloats(features))), h);
    }

    public static float[] row(int n, int seed) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = ((seed * 31 + i * 17) % 11) / 5f - 1f;
        }
        return v;
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    public static String header(ConsumerRecord<byte[], byte[]> r, String key) {
        Header h = r.headers().lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /**
     * A serving test class on the test kit's broker: each test gets its own topics (two partitions), consumer
     * group, snapshot store and metrics registry, so no test sees another's records. The subclass registers
     * the broker and hands it over, as every module's tests do:
     *
     * <pre>{@code
     * class SomeServingTest extends ServingTestKit.OnEmbeddedBroker {
     *     @RegisterExtension
     *     static final KafkaBrokerExtension kafka = KafkaBrokerExtension.perClass();
     *
     *     SomeServingTest() {
     *         super(kafka);
     *     }
     * }
     * }</pre>
     */
    public abstract static class OnEmbeddedBroker {
        /** How long a test waits for a condition on the broker. */
        protected static final Duration WAIT = Duration.ofSeconds(60);
        /** The model every broker test serves: 8 float features, 4 classes. */
        protected static final ModelSpec MLP = ModelSpec.mlp("mlp", 8, 4, 16);

        private final KafkaBrokerExtension kafka;

        @TempDir
        protected Path storeRoot;
        protected SnapshotStore store;
        protected Topics topics;
        protected String group;
        protected CollectorRegistry registry;

        /** A test on {@code kafka}, the subclass's own extension (JUnit reads it from the subclass's static field). */
        protected OnEmbeddedBroker(KafkaBrokerExtension kafka) {
            this.kafka = kafka;
        }

        @BeforeEach
        protected void freshTopicsAndStore() {
            // Two partitions: the tests move partitions between instances and check per-partition order.
            topics = kafka.topics(2);
            group = topics.prefix() + "group";
            store = new SnapshotStore(storeRoot);
            registry = new CollectorRegistry();
        }

        /** A config of {@link #MLP} on this test's broker, topics, group and store. */
        protected ServingConfig.Builder servingConfig() {
            return ServingConfig.builder().setBootstrapServers(kafka.bootstrapServers()).setModel(MLP.name())
                    .setStoreRoot(storeRoot).optTopics(topics).optGroupId(group);
        }

        /** A plain producer on the broker; the caller closes it. */
        protected KafkaProducer<byte[], byte[]> producer() {
            return KafkaClients.producer(kafka.bootstrapServers(), Map.of());
        }

        /** Publishes a new version of {@link #MLP}, starts {@code service} on it and waits until it is ready. */
        protected SnapshotManifest startServing(PredictionService service, KafkaProducer<byte[], byte[]> producer) {
            SnapshotManifest first = publish(store, MLP);
            service.start();
            announce(producer, topics, first);
            await().atMost(WAIT).until(service::isReady);
            return first;
        }

        /** Offsets committed by this test's group, summed over the requests topic's partitions. */
        protected long committedOffsets() throws Exception {
            try (Admin admin = KafkaClients.admin(kafka.bootstrapServers(), Map.of())) {
                Map<?, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
                return offsets.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
            }
        }
    }

    public static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
