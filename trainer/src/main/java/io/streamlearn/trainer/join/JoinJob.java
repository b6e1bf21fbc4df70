package io.streamlearn.trainer.join;

import io.streamlearn.core.config.KafkaSettings;
import io.streamlearn.core.config.SettingValues;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.kafka.Topics;
import io.streamlearn.trainer.decode.DeadLetter;
import io.streamlearn.trainer.decode.DeadLetterSerializer;
import io.streamlearn.trainer.decode.DecodeFunction;
import io.streamlearn.trainer.decode.RawRecord;
import io.streamlearn.trainer.decode.RawRecordDeserializer;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The label join topology: requests topic and feedback topic → read ids (unreadable labels to the dead letters) →
 * keyed by id, {@link JoinFunction} in event time → joined examples to the examples topic, every label not joined
 * to {@code feedback.dlq} with its reason; both sinks transactional (exactly once with checkpoints), so the trainer,
 * which reads {@code read_committed}, sees each joined example once. Every operator has a stable uid.
 * {@link #main} runs it with {@code flink run}; {@link #runLocal} on an in-process MiniCluster.
 */
public final class JoinJob {
    /** The job's name, also what {@code streamlearn join} reads its metrics by. */
    public static final String NAME = "streamlearn-label-join";

    private JoinJob() {}

    /**
     * Adds the join topology with {@code beforeSink} applied to the joined examples just before the examples sink
     * (tests inject failures there); returns the joined examples.
     */
    @SuppressWarnings("deprecation")
    public static DataStream<Example> build(StreamExecutionEnvironment env, JoinConfig config,
            UnaryOperator<DataStream<Example>> beforeSink) {
        Topics topics = config.topics();
        int parallelism = config.parallelism();
        env.enableCheckpointing(config.checkpointIntervalMs(), CheckpointingMode.EXACTLY_ONCE);
        // Records are immutable and every operator makes new ones: chained operators pass them by reference.
        env.getConfig().enableObjectReuse();
        WatermarkStrategy<RawRecord> watermarks = WatermarkStrategy
                .forBoundedOutOfOrderness(Duration.ofMillis(config.outOfOrdernessMs()));
        if (config.idleMs() > 0) {
            watermarks = watermarks.withIdleness(Duration.ofMillis(config.idleMs()));
        }
        SingleOutputStreamOperator<JoinInput> requests = env
                .fromSource(source(config, topics.requests()), watermarks, "requests")
                .uid("join-requests-source").setParallelism(parallelism)
                .process(new JoinDecodeFunction(true)).uid("join-decode-requests").name("read request ids")
                .setParallelism(parallelism);
        SingleOutputStreamOperator<JoinInput> labels = env
                .fromSource(source(config, topics.feedback()), watermarks, "feedback")
                .uid("join-feedback-source").setParallelism(parallelism)
                .process(new JoinDecodeFunction(false)).uid("join-decode-labels").name("read labels")
                .setParallelism(parallelism);
        SingleOutputStreamOperator<Example> joined = requests.union(labels)
                .keyBy(in -> in.id, Types.STRING)
                .process(new JoinFunction(config.windowMs(), config.stateTtlMs()))
                .uid("label-join").name("label join").setParallelism(parallelism);

        beforeSink.apply(joined)
                .sinkTo(sink(config, new JoinedExampleSerializer(topics.examples()), "examples"))
                .uid("join-examples-sink").name(topics.examples()).setParallelism(parallelism);
        DataStream<DeadLetter> deadLetters = joined.getSideOutput(DecodeFunction.DEAD_LETTERS)
                .union(labels.getSideOutput(DecodeFunction.DEAD_LETTERS));
        deadLetters.sinkTo(sink(config, new DeadLetterSerializer(topics.feedbackDlq()), "dlq"))
                .uid("join-dlq-sink").name(topics.feedbackDlq()).setParallelism(parallelism);
        return joined;
    }

    private static KafkaSource<RawRecord> source(JoinConfig config, String topic) {
        Properties kafka = KafkaClients.consumerConfig(config.bootstrapServers(), config.groupId(),
                config.kafkaOverrides());
        kafka.remove("key.deserializer");
        kafka.remove("value.deserializer");
        kafka.remove("enable.auto.commit");
        return KafkaSource.<RawRecord>builder()
                .setBootstrapServers(config.bootstrapServers())
                .setTopics(topic)
                .setGroupId(config.groupId())
                .setProperties(kafka)
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new RawRecordDeserializer())
                .build();
    }

    /** An exactly-once sink: one transaction per checkpoint, committed when the checkpoint completes. */
    private static <T> KafkaSink<T> sink(JoinConfig config, KafkaRecordSerializationSchema<T> serializer,
            String name) {
        Properties props = KafkaClients.producerConfig(config.bootstrapServers(), config.kafkaOverrides());
        props.remove("key.serializer");
        props.remove("value.serializer");
        // The sink's default is 1 h, above the broker's 15 min maximum: the job would fail at start.
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, Integer.toString(config.transactionTimeoutMs()));
        return KafkaSink.<T>builder()
                .setBootstrapServers(config.bootstrapServers())
                .setKafkaProducerConfig(props)
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(config.transactionalIdPrefix() + "-" + name)
                .build();
    }

    /**
     * Runs the job on a MiniCluster in this JVM and returns its client (cancel it to stop); {@code beforeSink} as in
     * {@link #build} ({@code UnaryOperator.identity()} but in tests). Without a restart strategy in {@code flinkConf},
     * Flink's default with checkpointing applies: restart with exponential delay, from the last checkpoint.
     */
    public static JobClient runLocal(JoinConfig config, Configuration flinkConf,
            UnaryOperator<DataStream<Example>> beforeSink) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(config.parallelism(),
                flinkConf);
        build(env, config, beforeSink);
        return env.executeAsync(NAME);
    }

    /**
     * Entry point for {@code flink run -c io.streamlearn.trainer.join.JoinJob streamlearn-trainer-job.jar
     * --bootstrap-server HOST:PORT [--window-ms 600000 ...]}; flags: {@link JoinSettings#JOB_DEF}, the names
     * {@code streamlearn join} takes (docs/cli.md lists them).
     */
    public static void main(String[] args) throws Exception {
        JoinConfig config = fromArgs(args);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        build(env, config, UnaryOperator.identity());
        env.execute(NAME);
    }

    /**
     * The job's settings from {@code flink run} arguments; an unknown one fails naming the nearest known one.
     * Secrets ({@link KafkaSettings#SECRET_PROPERTIES}) are refused there: they belong in {@code --kafka-config}.
     */
    public static JoinConfig fromArgs(String... args) {
        SettingValues values = JoinSettings.JOB_DEF.parseArgs(List.of(args));
        KafkaSettings.refuseSecretArguments(values);
        return JoinConfig.fromSettings(values);
    }
}
