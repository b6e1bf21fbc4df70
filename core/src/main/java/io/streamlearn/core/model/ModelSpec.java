package io.streamlearn.core.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.streamlearn.core.example.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A model as data: input, network layers, loss, optimizer and batch size, read from and written as
 * JSON ({@code spec.json} in every snapshot). {@link NetworkBuilder} turns it into a DJL block.
 *
 * <pre>{@code
 * {"name":"mlp","input":{"shape":[784],"dtype":"uint8"},"classes":10,
 *  "layers":[{"type":"dense","units":256},{"type":"relu"},{"type":"dense","units":10}],
 *  "loss":"softmax_cross_entropy","optimizer":{"type":"adam","learning_rate":0.001},"batch_size":128}
 * }</pre>
 *
 * @param name       model name: the key on the models topic and the store's folder
 * @param input      shape and dtype of one example's features
 * @param classes    number of classes (output units of the last layer)
 * @param layers     the network, input to output; the last layer emits logits
 * @param loss       training loss
 * @param optimizer  optimizer and its hyper-parameters
 * @param batchSize  examples per mini-batch
 * @param seed       seed of parameter initialization and of dropout
 * @param initializer weight initializer: {@code xavier} (default) or {@code he}
 * @param task       null for classification (the default, also when the JSON says {@code "classification"}: examples
 *                   carry a class label), or {@code regression} (examples
 *                   carry a real-valued {@code target}, the network outputs {@code targets} values with no softmax,
 *                   the loss is {@code l2} (default) or {@code huber}, and {@code classes} is ignored, recorded as 1)
 * @param targets    regression only: values per target (default 1); 0 for classification
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelSpec(
        @JsonProperty("name") String name,
        @JsonProperty("input") InputSpec input,
        @JsonProperty("classes") int classes,
        @JsonProperty("layers") List<LayerSpec> layers,
        @JsonProperty("loss") LossKind loss,
        @JsonProperty("optimizer") OptimizerSpec optimizer,
        @JsonProperty("batch_size") int batchSize,
        @JsonProperty("seed") long seed,
        @JsonProperty("initializer") String initializer,
        @JsonProperty("task") String task,
        @JsonProperty("targets") @JsonInclude(JsonInclude.Include.NON_DEFAULT) int targets) {

    /** The default task: examples carry class labels. */
    public static final String CLASSIFICATION = "classification";
    /** The task whose examples carry real-valued targets. */
    public static final String REGRESSION = "regression";

    public ModelSpec {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
            throw new IllegalArgumentException("model name '" + name
                    + "' must be 1-128 characters of letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        if (input == null) {
            throw new IllegalArgumentException("model " + name + ": 'input' is required");
        }
        // Classification is stored as null so that a classifier's spec.json reads exactly as before regression.
        task = task == null || task.equalsIgnoreCase(CLASSIFICATION) ? null : task.toLowerCase(java.util.Locale.ROOT);
        if (REGRESSION.equals(task)) {
            targets = targets == 0 ? 1 : targets;
            if (targets < 1 || targets > io.streamlearn.core.example.Example.MAX_TARGET_VALUES) {
                throw new IllegalArgumentException("model " + name + ": 'targets' is " + targets + ", must be 1.."
                        + io.streamlearn.core.example.Example.MAX_TARGET_VALUES);
            }
            // Regression has no classes; 1 keeps every reader of 'classes' (schemas, metrics arrays) valid.
            classes = 1;
            loss = loss == null ? LossKind.L2 : loss;
            if (loss != LossKind.L2 && loss != LossKind.HUBER) {
                throw new IllegalArgumentException("model " + name + ": loss " + loss.jsonName() + " is for "
                        + "classification; a regression model needs l2 or huber");
            }
        } else if (task == null) {
            if (targets != 0) {
                throw new IllegalArgumentException("model " + name + ": 'targets' is for regression; set \"task\": "
                        + "\"regression\" or remove it");
            }
            if (loss == LossKind.HUBER) {
                throw new IllegalArgumentException("model " + name + ": huber is a regression loss; set \"task\": "
                        + "\"regression\" or choose softmax_cross_entropy");
            }
        } else {
            throw new IllegalArgumentException("model " + name + ": task '" + task
                    + "' must be classification or regression");
        }
        if (classes < 1) {
            throw new IllegalArgumentException("model " + name + ": 'classes' is " + classes + ", must be >= 1");
        }
        if (layers == null || layers.isEmpty()) {
            throw new IllegalArgumentException("model " + name + ": 'layers' must list at least one layer");
        }
        // ArrayList, not List.copyOf: Kryo cannot restore immutable collections (DESIGN.md).
        layers = new ArrayList<>(layers);
        loss = loss == null ? LossKind.SOFTMAX_CROSS_ENTROPY : loss;
        optimizer = optimizer == null ? OptimizerSpec.adam(1e-3f) : optimizer;
        initializer = initializer == null ? "xavier" : initializer.toLowerCase(java.util.Locale.ROOT);
        if (!initializer.equals("xavier") && !initializer.equals("he")) {
            throw new IllegalArgumentException("model " + name + ": initializer '" + initializer
                    + "' must be xavier or he");
        }
        if (batchSize == 0) {
            batchSize = 32;
        }
        if (loss == LossKind.SIGMOID_BINARY_CROSS_ENTROPY && classes != 2) {
            throw new IllegalArgumentException("model " + name + ": sigmoid_binary_cross_entropy needs classes = 2 "
                    + "(one output unit), got " + classes);
        }
        if (batchSize < 1 || batchSize > 65536) {
            throw new IllegalArgumentException("model " + name + ": 'batch_size' " + batchSize + " must be 1..65536");
        }
    }

    /** A classification spec. */
    public ModelSpec(String name, InputSpec input, int classes, List<LayerSpec> layers, LossKind loss,
            OptimizerSpec optimizer, int batchSize, long seed, String initializer) {
        this(name, input, classes, layers, loss, optimizer, batchSize, seed, initializer, null, 0);
    }

    /** A classification spec with the default (Xavier) initializer. */
    public ModelSpec(String name, InputSpec input, int classes, List<LayerSpec> layers, LossKind loss,
            OptimizerSpec optimizer, int batchSize, long seed) {
        this(name, input, classes, layers, loss, optimizer, batchSize, seed, null);
    }

    /** Whether examples carry real-valued targets (task regression) rather than class labels. */
    public boolean isRegression() {
        return targets > 0;
    }

    /** The schema examples for this model must fit (default record size cap). */
    public io.streamlearn.core.example.ExampleSchema schema() {
        return new io.streamlearn.core.example.ExampleSchema(featureCount(), input.featureType(), classes,
                io.streamlearn.core.example.ExampleSchema.DEFAULT_MAX_RECORD_BYTES, targets);
    }

    /** Number of feature values one example carries (the product of the input shape). */
    public int featureCount() {
        return input.featureCount();
    }

    public String toJson() {
        try {
            return Json.MAPPER.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("model spec cannot be written as JSON", e);
        }
    }

    public static ModelSpec fromJson(String json) {
        try {
            return Json.MAPPER.readValue(json, ModelSpec.class);
        } catch (JsonProcessingException e) {
            Throwable root = e.getCause() instanceof IllegalArgumentException iae ? iae : e;
            throw new IllegalArgumentException("invalid model spec: " + (root == e ? e.getOriginalMessage()
                    : root.getMessage()), e);
        }
    }

    public static ModelSpec read(Path file) {
        try {
            return fromJson(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model spec " + file, e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** A copy with another name. */
    public ModelSpec withName(String newName) {
        return copy(newName, input, loss, batchSize);
    }

    /** A copy with another loss. */
    public ModelSpec withLoss(LossKind newLoss) {
        return copy(name, input, newLoss, batchSize);
    }

    /** A copy with another input spec. */
    public ModelSpec withInput(InputSpec newInput) {
        return copy(name, newInput, loss, batchSize);
    }

    /** A copy with another batch size. */
    public ModelSpec withBatchSize(int newBatchSize) {
        return copy(name, input, loss, newBatchSize);
    }

    /** The one place the withers list every component, so a new component is added to the copy once. */
    private ModelSpec copy(String newName, InputSpec newInput, LossKind newLoss, int newBatchSize) {
        return new ModelSpec(newName, newInput, classes, layers, newLoss, optimizer, newBatchSize, seed,
                initializer, task, targets);
    }

    /**
     * Number of output units the network must end with: {@code classes} for softmax cross-entropy and
     * L2 (one-hot targets), 1 for sigmoid binary cross-entropy (classes must then be 2), {@code targets} for
     * regression.
     */
    public int outputUnits() {
        return isRegression() ? targets : loss == LossKind.SIGMOID_BINARY_CROSS_ENTROPY ? 1 : classes;
    }

    /**
     * A linear regression of {@code targets} values on {@code features} float32 features: l2 loss, Adam at 0.05 (a
     * linear model on standardized features takes a large rate; 0.001 needs tens of thousands of examples).
     */
    public static ModelSpec linearRegression(String name, int features, int targets) {
        return new ModelSpec(name, InputSpec.float32(features), 1, new ArrayList<>(List.of(LayerSpec.dense(targets))),
                LossKind.L2, OptimizerSpec.adam(0.05f), 32, 42, "xavier", REGRESSION, targets);
    }

    /** A copy with another optimizer. */
    public ModelSpec withOptimizer(OptimizerSpec newOptimizer) {
        return new ModelSpec(name, input, classes, layers, loss, newOptimizer, batchSize, seed,
                initializer, task, targets);
    }

    /** A multi-layer perceptron with ReLU hidden layers: the textbook default. */
    public static ModelSpec mlp(String name, int features, int classes, int... hidden) {
        List<LayerSpec> layers = new ArrayList<>();
        for (int h : hidden) {
            layers.add(LayerSpec.dense(h));
            layers.add(LayerSpec.activation("relu"));
        }
        layers.add(LayerSpec.dense(classes));
        return new ModelSpec(name, InputSpec.float32(features), classes, layers, LossKind.SOFTMAX_CROSS_ENTROPY,
                OptimizerSpec.adam(1e-3f), 32, 42, "xavier");
    }
}
