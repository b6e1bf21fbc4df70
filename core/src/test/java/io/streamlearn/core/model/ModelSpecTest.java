package io.streamlearn.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.Device;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelSpecTest {

    static final String LENET5 = """
            {"name":"lenet5","input":{"shape":[1,28,28],"dtype":"uint8"},"classes":10,
             "layers":[{"type":"conv2d","filters":6,"kernel":5,"padding":2},{"type":"sigmoid"},
                       {"type":"max_pool","kernel":2},
                       {"type":"conv2d","filters":16,"kernel":5},{"type":"sigmoid"},{"type":"max_pool","kernel":2},
                       {"type":"flatten"},{"type":"dense","units":120},{"type":"sigmoid"},
                       {"type":"dense","units":84},{"type":"sigmoid"},{"type":"dropout","rate":0.1},
                       {"type":"dense","units":10},{"type":"softmax"}],
             "loss":"softmax_cross_entropy","optimizer":{"type":"sgd","learning_rate":0.1,"momentum":0.9},
             "batch_size":32}
            """;

    @Test
    void parsesAndWritesTheSameSpec() {
        ModelSpec spec = ModelSpec.fromJson(LENET5);
        assertThat(spec.featureCount()).isEqualTo(784);
        assertThat(spec.input().scale()).isEqualTo(1f / 255f);
        assertThat(spec.optimizer().momentum()).isEqualTo(0.9f);
        assertThat(ModelSpec.fromJson(spec.toJson())).isEqualTo(spec);
    }

    @Test
    void buildsBlocksWithTheExpectedOutputShapes() {
        try (NDManager manager = NDManager.newBaseManager(); Model model = Model.newInstance("shapes")) {
            ModelSpec lenet = ModelSpec.fromJson(LENET5);
            var block = NetworkBuilder.build(lenet);
            block.initialize(manager, DataType.FLOAT32, NetworkBuilder.inputShape(lenet, 4));
            Shape[] out = block.getOutputShapes(new Shape[] {NetworkBuilder.inputShape(lenet, 4)});
            assertThat(out[0]).isEqualTo(new Shape(4, 10));

            ModelSpec mlp = ModelSpec.mlp("mlp", 20, 3, 16, 8);
            var mlpBlock = NetworkBuilder.build(mlp);
            mlpBlock.initialize(manager, DataType.FLOAT32, NetworkBuilder.inputShape(mlp, 5));
            assertThat(mlpBlock.getOutputShapes(new Shape[] {new Shape(5, 20)})[0]).isEqualTo(new Shape(5, 3));
        }
    }

    @Test
    void trainsOneStepOfflineAndLowersTheLossOnThatBatch() {
        ModelSpec spec = ModelSpec.mlp("step", 4, 2, 8).withOptimizer(OptimizerSpec.sgd(0.5f, 0f));
        try (Model model = Model.newInstance(spec.name(), Device.cpu())) {
            model.setBlock(NetworkBuilder.build(spec));
            try (Trainer trainer = model.newTrainer(new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.5f)).build()))) {
                trainer.initialize(NetworkBuilder.inputShape(spec, 8));
                NDManager m = trainer.getManager();
                NDArray x = m.create(new float[] {1, 1, 0, 0, 0, 0, 1, 1, 1, 0, 1, 0, 0, 1, 0, 1,
                        2, 2, 0, 0, 0, 0, 2, 2, 1, 1, 0, 1, 0, 1, 1, 1}, new Shape(8, 4));
                NDArray y = m.create(new float[] {0, 1, 0, 1, 0, 1, 0, 1});
                float before = lossOf(trainer, x, y);
                for (int i = 0; i < 20; i++) {
                    try (GradientCollector gc = trainer.newGradientCollector()) {
                        NDList out = trainer.forward(new NDList(x));
                        gc.backward(trainer.getLoss().evaluate(new NDList(y), out));
                    }
                    trainer.step();
                }
                assertThat(lossOf(trainer, x, y)).isLessThan(before * 0.5f);
            }
        }
    }

    private static float lossOf(Trainer trainer, NDArray x, NDArray y) {
        return trainer.getLoss().evaluate(new NDList(y), trainer.evaluate(new NDList(x))).getFloat();
    }

    @Test
    void refusesInvalidSpecsWithTheFieldAtFault() {
        assertThatThrownBy(() -> ModelSpec.fromJson("{\"name\":\"a\",\"input\":{\"shape\":[4]},\"classes\":2,"
                + "\"layers\":[{\"type\":\"lstm\"}]}")).hasMessageContaining("unknown layer type 'lstm'");
        assertThatThrownBy(() -> ModelSpec.fromJson("{\"name\":\"a\",\"input\":{\"shape\":[4]},\"classes\":2,"
                + "\"layers\":[{\"type\":\"dense\"}]}")).hasMessageContaining("layer 'units' is null");
        assertThatThrownBy(() -> ModelSpec.fromJson("{\"name\":\"a b\",\"input\":{\"shape\":[4]},\"classes\":2,"
                + "\"layers\":[{\"type\":\"relu\"}]}")).hasMessageContaining("model name 'a b'");
        assertThatThrownBy(() -> new OptimizerSpec("rmsprop", 0.1f, null, null))
                .hasMessageContaining("unknown optimizer 'rmsprop'");
        assertThatThrownBy(() -> new InputSpec(List.of(3), "int64", null)).hasMessageContaining("int64");
    }
}
