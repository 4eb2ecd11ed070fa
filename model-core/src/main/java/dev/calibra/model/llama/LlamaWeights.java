package dev.calibra.model.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.calibra.model.ModelFormatException;
import dev.calibra.model.OwnedArrays;
import dev.calibra.model.config.LlamaConfig;
import dev.calibra.model.safetensors.TensorSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Random;

/**
 * A Llama model's weights. The embedding, final norm and lm_head load eagerly; each block loads on
 * first use into its own manager and can be unloaded again, so a large model need not sit in memory whole.
 */
final class LlamaWeights implements AutoCloseable {

    /** Where block weights come from: a checkpoint, or random numbers for benchmarks. */
    interface LayerSource {
        NDArray tensor(String name, Shape shape, NDManager manager) throws IOException;

        boolean has(String name);
    }

    private final LlamaConfig config;
    private final NDManager manager;
    private final LayerSource source;
    final NDArray embedTokens;
    final NDArray finalNorm;
    final NDArray lmHead;
    private final LlamaLayerWeights[] layers;

    private LlamaWeights(LlamaConfig config, NDManager manager, LayerSource source) throws IOException {
        this.config = config;
        this.manager = manager;
        this.source = source;
        int hidden = config.hiddenSize();
        this.embedTokens = source.tensor("model.embed_tokens.weight", new Shape(config.vocabSize(), hidden), manager);
        this.finalNorm = source.tensor("model.norm.weight", new Shape(hidden), manager);
        this.lmHead = config.tieWordEmbeddings() || !source.has("lm_head.weight") ? embedTokens
                : source.tensor("lm_head.weight", new Shape(config.vocabSize(), hidden), manager);
        this.layers = new LlamaLayerWeights[config.numHiddenLayers()];
    }

    /** Weights read from a checkpoint; shapes are checked against the config. */
    static LlamaWeights fromCheckpoint(LlamaConfig config, TensorSource checkpoint, NDManager manager)
            throws IOException {
        checkTensors(config, checkpoint);
        return new LlamaWeights(config, manager, new LayerSource() {
            @Override
            public NDArray tensor(String name, Shape shape, NDManager into) throws IOException {
                checkTensor(checkpoint, name, shape);
                return checkpoint.load(name, into);
            }

            @Override
            public boolean has(String name) {
                return checkpoint.contains(name);
            }
        });
    }

    /** Checks up front (headers only) that every block tensor exists with the shape config.json implies. */
    private static void checkTensors(LlamaConfig config, TensorSource checkpoint) throws ModelFormatException {
        Shape hidden = new Shape(config.hiddenSize());
        for (int layer = 0; layer < config.numHiddenLayers(); layer++) {
            String prefix = "model.layers." + layer + ".";
            checkTensor(checkpoint, prefix + "input_layernorm.weight", hidden);
            checkTensor(checkpoint, prefix + "post_attention_layernorm.weight", hidden);
            for (LinearName linear : LinearName.values()) {
                checkTensor(checkpoint, linear.weightName(layer), linearShape(config, linear));
            }
        }
    }

    private static void checkTensor(TensorSource checkpoint, String name, Shape shape) throws ModelFormatException {
        if (!checkpoint.contains(name)) {
            throw new ModelFormatException("checkpoint has no tensor '" + name + "'");
        }
        long[] actual = checkpoint.info(name).shape();
        if (!Arrays.equals(actual, shape.getShape())) {
            throw new ModelFormatException("tensor '" + name + "' has shape " + Arrays.toString(actual)
                    + ", config.json implies " + shape);
        }
    }

    /** Random normal weights (std 0.02, norms 1) with real shapes, for benchmarks and tests. */
    static LlamaWeights random(LlamaConfig config, NDManager manager, long seed) {
        Random random = new Random(seed);
        try {
            return new LlamaWeights(config, manager, new LayerSource() {
                @Override
                public NDArray tensor(String name, Shape shape, NDManager into) {
                    if (name.endsWith("norm.weight")) {
                        return into.ones(shape);
                    }
                    float[] values = new float[Math.toIntExact(shape.size())];
                    for (int i = 0; i < values.length; i++) {
                        values[i] = (float) (random.nextGaussian() * 0.02);
                    }
                    return OwnedArrays.of(into, values, shape);
                }

                @Override
                public boolean has(String name) {
                    return !name.endsWith(".bias") || config.qkvBias() || config.mlpBias();
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Block {@code layer}'s weights, loading them on first use. */
    synchronized LlamaLayerWeights layer(int layer) {
        if (layer < 0 || layer >= layers.length) {
            throw new IllegalArgumentException("layer " + layer + " outside 0.." + (layers.length - 1));
        }
        if (layers[layer] == null) {
            try {
                layers[layer] = loadLayer(layer);
            } catch (IOException e) {
                throw new UncheckedIOException("loading block " + layer + ": " + e.getMessage(), e);
            }
        }
        return layers[layer];
    }

    /** Frees block {@code layer}'s weights; replaced ones only when {@code evenIfReplaced}. */
    synchronized void unload(int layer, boolean evenIfReplaced) {
        LlamaLayerWeights weights = layers[layer];
        if (weights != null && (evenIfReplaced || !weights.modified())) {
            weights.close();
            layers[layer] = null;
        }
    }

    /** Expected {@code [out, in]} of a linear. */
    Shape linearShape(LinearName linear) {
        return linearShape(config, linear);
    }

    static Shape linearShape(LlamaConfig config, LinearName linear) {
        int hidden = config.hiddenSize();
        int qOut = config.numAttentionHeads() * config.headDim();
        int kvOut = config.numKeyValueHeads() * config.headDim();
        int intermediate = config.intermediateSize();
        return switch (linear) {
            case Q_PROJ -> new Shape(qOut, hidden);
            case K_PROJ, V_PROJ -> new Shape(kvOut, hidden);
            case O_PROJ -> new Shape(hidden, qOut);
            case GATE_PROJ, UP_PROJ -> new Shape(intermediate, hidden);
            case DOWN_PROJ -> new Shape(hidden, intermediate);
        };
    }

    private boolean hasBias(LinearName linear) {
        return switch (linear) {
            case Q_PROJ, K_PROJ, V_PROJ -> config.qkvBias();
            case O_PROJ -> config.outputBias();
            case GATE_PROJ, UP_PROJ, DOWN_PROJ -> config.mlpBias();
        };
    }

    private LlamaLayerWeights loadLayer(int layer) throws IOException {
        NDManager layerManager = manager.newSubManager();
        try {
            Shape hidden = new Shape(config.hiddenSize());
            String prefix = "model.layers." + layer + ".";
            LlamaLayerWeights weights = new LlamaLayerWeights(layerManager,
                    source.tensor(prefix + "input_layernorm.weight", hidden, layerManager),
                    source.tensor(prefix + "post_attention_layernorm.weight", hidden, layerManager));
            for (LinearName linear : LinearName.values()) {
                Shape shape = linearShape(linear);
                weights.putWeight(linear, source.tensor(linear.weightName(layer), shape, layerManager));
                if (hasBias(linear) && source.has(linear.biasName(layer))) {
                    weights.putBias(linear, source.tensor(linear.biasName(layer), new Shape(shape.get(0)), layerManager));
                }
            }
            return weights;
        } catch (IOException | RuntimeException e) {
            layerManager.close();
            throw e;
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
