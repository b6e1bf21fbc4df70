package io.streamlearn.trainer.job;

import io.streamlearn.core.config.KafkaSettings;
import io.streamlearn.core.config.SettingValues;
import io.streamlearn.core.example.Example;
import io.streamlearn.core.kafka.KafkaClients;
import io.streamlearn.core.kafka.Topics;
import io.streamlearn.core.model.ModelSpec;
import io.streamlearn.trainer.decode.DeadLetter;
import io.streamlearn.trainer.decode.DeadLetterSerializer;
import io.streamlearn.trainer.decode.DecodeFunction;
import io.streamlearn.trainer.decode.RawRecord;
import io.streamlearn.trainer.decode.RawRecordDeserializer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;

/**
 * The trainer topology: examples topic → decode and validate (rejects to the DLQ) → online trainer, chained per
 * subtask at {@code --parallelism} N (no shuffle: each trainer subtask trains on its source's partitions and the
 * subtasks merge their models at every checkpoint). Every operator has a stable uid and the trainer a fixed max
 * parallelism, so savepoints survive upgrades and restore at any parallelism up to {@link #MAX_PARALLELISM}.
 * {@link #main} runs it with {@code flink run}; {@link #runLocal} on an in-process MiniCluster.
 */
public final class TrainerJob {
    /**
     * Max parallelism of the source, decoder and trainer: fixed, because Flink refuses a savepoint whose max
     * parallelism differs, and one value lets a savepoint taken at any parallelism restore at any other.
     */
    public static final int MAX_PARALLELISM = 128;

    private TrainerJob() {}

    /** Adds the trainer topology to {@code env} and returns the validated example stream. */
    public static DataStream<Example> build(StreamExecutionEnvironment env, TrainerConfig config) {
        return build(env, config, UnaryOperator.identity());
    }

    /**
     * Adds the trainer topology with {@code beforeTrainer} applied to the validated examples just
     * before the trainer (tests inject failures there).
     */
    @SuppressWarnings("deprecation")
    public static DataStream<Example> build(StreamExecutionEnvironment env, TrainerConfig config,
            UnaryOperator<DataStream<Example>> beforeTrainer) {
        Topics topics = config.topics();
        env.enableCheckpointing(config.checkpointIntervalMs(), CheckpointingMode.EXACTLY_ONCE);
        // Records are immutable and every operator makes new ones, so chained operators may pass them
        // by reference instead of copying each example through its serializer.
        env.getConfig().enableObjectReuse();
        Properties kafka = KafkaClients.consumerConfig(config.bootstrapServers(), config.groupId(),
                config.kafkaOverrides());
        kafka.remove("key.deserializer");
        kafka.remove("value.deserializer");
        kafka.remove("enable.auto.commit");
        // Read once, here, so that the source and the trainer start from the same snapshot. A restored checkpoint
        // overrides both: the source's splits and the operator's state come from it.
        StartingPoint start = StartingPoint.choose(config);
        Map<TopicPartition, Long> resumeAt = start.offsetsOn(topics.examples());
        KafkaSource<RawRecord> source = KafkaSource.<RawRecord>builder()
                .setBootstrapServers(config.bootstrapServers())
                .setTopics(topics.examples())
                .setGroupId(config.groupId())
                .setProperties(kafka)
                // Partitions the snapshot does not name (added since) start from the committed offsets, else the earliest.
                .setStartingOffsets(resumeAt.isEmpty()
                        ? OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST)
                        : OffsetsInitializer.offsets(resumeAt, OffsetResetStrategy.EARLIEST))
                .setDeserializer(new RawRecordDeserializer())
                .build();

        // Equal to the trainer's by default, so each trainer chains to its own source and decoder.
        int sourceParallelism = Math.max(config.decodeParallelism(), config.parallelism());
        SingleOutputStreamOperator<Example> examples = env
                .fromSource(source, WatermarkStrategy.noWatermarks(), "examples")
                .uid("examples-source")
                .setParallelism(sourceParallelism)
                .setMaxParallelism(MAX_PARALLELISM)
                .process(new DecodeFunction(config.spec().schema()))
                .uid("decode")
                .name("decode and validate")
                .setParallelism(sourceParallelism)
                .setMaxParallelism(MAX_PARALLELISM);

        DataStream<DeadLetter> deadLetters = examples.getSideOutput(DecodeFunction.DEAD_LETTERS);
        Properties sinkProps = KafkaClients.producerConfig(config.bootstrapServers(), config.kafkaOverrides());
        sinkProps.remove("key.serializer");
        sinkProps.remove("value.serializer");
        deadLetters.sinkTo(KafkaSink.<DeadLetter>builder()
                        .setBootstrapServers(config.bootstrapServers())
                        .setKafkaProducerConfig(sinkProps)
                        .setRecordSerializer(new DeadLetterSerializer(topics.examplesDlq()))
                        .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                        .build())
                .uid("examples-dlq-sink")
                .name("examples.dlq")
                .setParallelism(sourceParallelism);

        String model = config.spec().name();
        beforeTrainer.apply(examples)
                .transform("online trainer " + model, TypeInformation.of(Void.class),
                        new OnlineTrainerOperator(config, start))
                .uid("online-trainer")
                .name("online trainer " + model)
                .setParallelism(config.parallelism())
                .setMaxParallelism(MAX_PARALLELISM)
                // One sink instance joins every trainer subtask into one failover region: a failure restores all of
                // them from the same checkpoint, as the merge requires (region failover would restart one alone).
                .sinkTo(new DiscardingSink<>())
                .uid("trainer-out")
                .setParallelism(1);
        return examples;
    }

    /** Runs the job on a MiniCluster in this JVM and returns its client (cancel it to stop). */
    public static JobClient runLocal(TrainerConfig config, Configuration flinkConf) throws Exception {
        return runLocal(config, flinkConf, UnaryOperator.identity());
    }

    /** {@link #runLocal(TrainerConfig, Configuration)} with a stage before the trainer (for tests). */
    public static JobClient runLocal(TrainerConfig config, Configuration flinkConf,
            UnaryOperator<DataStream<Example>> beforeTrainer) throws Exception {
        Configuration conf = new Configuration(flinkConf);
        if (!conf.contains(RestartStrategyOptions.RESTART_STRATEGY)) {
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 10);
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, java.time.Duration.ofSeconds(1));
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(
                Math.max(config.parallelism(), config.decodeParallelism()), conf);
        build(env, config, beforeTrainer);
        return env.executeAsync("streamlearn-trainer-" + config.spec().name());
    }

    /**
     * Entry point for {@code flink run -c io.streamlearn.trainer.job.TrainerJob streamlearn-trainer-job.jar
     * --bootstrap-server HOST:PORT --spec specs/mlp.json --store /shared/snapshots [...]}. Flags: see
     * {@link #fromArgs}.
     */
    public static void main(String[] args) throws Exception {
        TrainerConfig config = fromArgs(args);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        build(env, config);
        env.execute("streamlearn-trainer-" + config.spec().name());
    }

    /**
     * The job's settings from {@code flink run} arguments: {@code --name value} of {@link TrainerSettings#JOB_DEF},
     * the same names {@code streamlearn train} takes (docs/cli.md lists them). An unknown argument fails naming the
     * nearest known one. Kafka client properties are {@code -X KEY=VALUE}; the older {@code --kafka.KEY VALUE} is
     * still read, deprecated. Secrets ({@link KafkaSettings#SECRET_PROPERTIES}) are refused there: they belong in the
     * {@code --kafka-config} file, whose path is all the Flink UI shows.
     */
    public static TrainerConfig fromArgs(String... args) {
        SettingValues values = TrainerSettings.JOB_DEF.parseArgs(withoutDeprecatedKafkaForm(args));
        KafkaSettings.refuseSecretArguments(values);
        return TrainerConfig.fromSettings(values, ModelSpec.read(Path.of(values.get(TrainerSettings.SPEC))));
    }

    /** {@code --kafka.KEY VALUE} (the form before -X) rewritten as {@code -X KEY=VALUE}. */
    private static List<String> withoutDeprecatedKafkaForm(String[] args) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.startsWith("--kafka.") && i + 1 < args.length) {
                out.add("-X");
                out.add(a.substring("--kafka.".length()) + "=" + args[++i]);
            } else {
                out.add(a);
            }
        }
        return out;
    }
}
