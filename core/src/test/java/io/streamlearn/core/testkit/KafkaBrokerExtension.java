package io.streamlearn.core.testkit;

import io.streamlearn.core.broker.EmbeddedKafkaBroker;
import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.kafka.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real embedded Kafka broker for the tests of a class, and topics of their own for each test.
 *
 * <pre>{@code
 * class SomethingEndToEndTest {
 *     @RegisterExtension
 *     static final KafkaBrokerExtension kafka = KafkaBrokerExtension.perClass();
 *
 *     @Test
 *     void answersEveryRequest() {
 *         Topics topics = kafka.topics(); // this test's prefix, created on first use, leaders serving
 *         // ... run the component against kafka.bootstrapServers() and topics ...
 *         List<ConsumerRecord<byte[], byte[]>> out = kafka.reader(topics.predictions()).awaitAtLeast(10);
 *     }
 * }
 * }</pre>
 *
 * <p>{@link #perClass()} starts one broker before the class's first test and closes it after its last: a
 * broker takes seconds to start, topics take milliseconds, so tests share the broker and are kept apart by
 * their topic prefix. {@link #perTest()} gives each test a broker of its own, for tests that stop it. The
 * extension must sit in a {@code static} field: JUnit calls the class-level callbacks only on those.
 */
public final class KafkaBrokerExtension
        implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
    /** Partitions of the data topics that {@link #topics()} creates unless {@link #withPartitions} says otherwise. */
    public static final int DEFAULT_PARTITIONS = 2;

    // Unique across all classes of the JVM, so two classes on one broker could never share a prefix either.
    private static final AtomicInteger TESTS = new AtomicInteger();

    private final boolean perTest;
    private final int partitions;

    private EmbeddedKafkaBroker broker;
    private String testPrefix;
    private Topics testTopics;
    private int testTopicsPartitions;
    private final List<TopicReader> readers = new ArrayList<>();

    private KafkaBrokerExtension(boolean perTest, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions " + partitions + " must be at least 1");
        }
        this.perTest = perTest;
        this.partitions = partitions;
    }

    /** One broker for all tests of the class; each test still gets its own topics. */
    public static KafkaBrokerExtension perClass() {
        return new KafkaBrokerExtension(false, DEFAULT_PARTITIONS);
    }

    /** A broker of its own for each test, started before it and closed after it (for tests that stop it). */
    public static KafkaBrokerExtension perTest() {
        return new KafkaBrokerExtension(true, DEFAULT_PARTITIONS);
    }

    /** The same extension whose {@link #topics()} have {@code partitions} data partitions. */
    public KafkaBrokerExtension withPartitions(int partitions) {
        return new KafkaBrokerExtension(perTest, partitions);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (!perTest) {
            broker = EmbeddedKafkaBroker.builder().build().start();
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (perTest) {
            broker = EmbeddedKafkaBroker.builder().build().start();
        } else if (broker == null) {
            throw new IllegalStateException("KafkaBrokerExtension.perClass() starts its broker before all tests, which "
                    + "JUnit signals only to extensions in static fields: declare it "
                    + "'@RegisterExtension static final KafkaBrokerExtension kafka = ...'");
        }
        String method = context.getTestMethod().map(m -> m.getName()).orElse("test");
        // Topic names allow letters, digits, '.', '_' and '-', up to 249 characters with the suffix.
        String name = method.replaceAll("[^A-Za-z0-9_-]", "_");
        testPrefix = (name.length() > 40 ? name.substring(0, 40) : name) + "-" + TESTS.incrementAndGet() + ".";
    }

    @Override
    public void afterEach(ExtensionContext context) {
        try {
            for (TopicReader r : readers) {
                r.close();
            }
        } finally {
            readers.clear();
            testPrefix = null;
            testTopics = null;
            if (perTest) {
                closeBroker();
            }
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        closeBroker();
    }

    private void closeBroker() {
        if (broker != null) {
            try {
                broker.close();
            } finally {
                broker = null;
            }
        }
    }

    /** The broker itself, for the tests that stop it or need its port or data directory. */
    public EmbeddedKafkaBroker broker() {
        if (broker == null) {
            throw new IllegalStateException("no broker runs now: the broker of KafkaBrokerExtension is there only "
                    + "while a test of the class that registers it runs");
        }
        return broker;
    }

    /** {@code 127.0.0.1:<port>} of the running broker. */
    public String bootstrapServers() {
        return broker().bootstrapServers();
    }

    /**
     * The platform topics of the running test, under a prefix no other test uses; created on the first call
     * with the extension's partitions, every leader serving (see {@link Topics#createAll}).
     */
    public Topics topics() {
        return topics(partitions);
    }

    /** As {@link #topics()}, with {@code partitions} data partitions for this test (one ordered stream: 1). */
    public Topics topics(int partitions) {
        String prefix = requireTest();
        if (testTopics == null) {
            Topics t = new Topics(prefix);
            try (Admin admin = KafkaClients.admin(bootstrapServers(), Map.of())) {
                t.createAll(admin, partitions, (short) 1);
            }
            testTopics = t;
            testTopicsPartitions = partitions;
        } else if (testTopicsPartitions != partitions) {
            throw new IllegalStateException("this test's topics exist already with " + testTopicsPartitions
                    + " partitions, not " + partitions + ": ask for the partitions on the first call");
        }
        return testTopics;
    }

    /**
     * A topic name of the running test (its prefix and {@code name}), not created: for components that create
     * their own topics, or for several independent runs in one test.
     */
    public String topic(String name) {
        return requireTest() + name;
    }

    /** A reader of {@code topic} from its beginning, closed by the extension after the test. */
    public TopicReader reader(String topic) {
        requireTest();
        TopicReader r = TopicReader.open(bootstrapServers(), topic);
        readers.add(r);
        return r;
    }

    private String requireTest() {
        if (testPrefix == null) {
            throw new IllegalStateException("topics belong to a test: call topics(), topic() and reader() inside a "
                    + "test method, not in @BeforeAll or @AfterAll");
        }
        return testPrefix;
    }
}
