package dev.calibra.model.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.calibra.model.ModelFormatException;
import dev.calibra.model.OwnedArrays;
import dev.calibra.model.decoder.DecoderSpec.NormKind;
import dev.calibra.model.safetensors.TensorSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * A decoder's weights, named as its {@link DecoderSpec} says. The embedding, positions, projections, final
 * norm and lm_head load eagerly; each block loads on first use into its own manager and can be unloaded
 * again, so a large model need not sit in memory whole.
 */
final class DecoderWeights implements AutoCloseable {

    /** Where weights come from: a checkpoint, or random numbers for benchmarks. */
    interface Source {
        NDArray tensor(String name, Shape shape, NDManager manager) throws IOException;
    }

    private final DecoderSpec spec;
    private final NDManager manager;
    private final Source source;
    final NDArray embedTokens;
    final NDArray embedPositions;
    final NDArray projectIn;
    final NDArray projectOut;
    final NDArray finalNormWeight;
    final NDArray finalNormBias;
    final NDArray lmHead;
    private final BlockWeights[] blocks;

    private DecoderWeights(DecoderSpec spec, NDManager manager, Source source) throws IOException {
        this.spec = spec;
        this.manager = manager;
        this.source = source;
        DecoderSpec.TensorNames names = spec.names();
        int hidden = spec.dims().hidden();
        int width = spec.embedding().width();
        this.embedTokens = source.tensor(names.global(names.embedTokens()), new Shape(spec.dims().vocab(), width), manager);
        this.embedPositions = optional(names.embedPositions(), new Shape(
                spec.dims().maxPositions() + spec.embedding().learnedPositionShift().orElse(0), hidden));
        this.projectIn = optional(names.projectIn(), new Shape(hidden, width));
        this.projectOut = optional(names.projectOut(), new Shape(width, hidden));
        Shape normShape = new Shape(hidden);
        this.finalNormWeight = spec.head().finalNorm()
                ? source.tensor(names.global(names.finalNorm() + ".weight"), normShape, manager) : null;
        this.finalNormBias = spec.head().finalNorm() && spec.norm().kind() == NormKind.LAYER_NORM
                ? source.tensor(names.global(names.finalNorm() + ".bias"), normShape, manager) : null;
        this.lmHead = spec.head().tied() ? embedTokens : source.tensor(names.lmHead(), new Shape(spec.dims().vocab(), width), manager);
        this.blocks = new BlockWeights[spec.dims().layers()];
    }

    private NDArray optional(Optional<String> name, Shape shape) throws IOException {
        return name.isPresent() ? source.tensor(spec.names().global(name.get()), shape, manager) : null;
    }

    /** Weights read from a checkpoint; every tensor's presence and shape is checked up front (headers only). */
    static DecoderWeights fromCheckpoint(DecoderSpec spec, TensorSource checkpoint, NDManager manager) throws IOException {
        for (Map.Entry<String, Shape> expected : blockTensors(spec).entrySet()) {
            checkTensor(checkpoint, expected.getKey(), expected.getValue());
        }
        return new DecoderWeights(spec, manager, (name, shape, into) -> {
            checkTensor(checkpoint, name, shape);
            return checkpoint.load(name, into);
        });
    }

    /** Every block tensor the spec implies, with its shape. */
    static Map<String, Shape> blockTensors(DecoderSpec spec) {
        Map<String, Shape> tensors = new LinkedHashMap<>();
        for (int layer = 0; layer < spec.dims().layers(); layer++) {
            for (Map.Entry<String, Shape> norm : norms(spec).entrySet()) {
                tensors.put(spec.names().block(layer, norm.getKey() + ".weight"), norm.getValue());
                if (spec.norm().kind() == NormKind.LAYER_NORM) {
                    tensors.put(spec.names().block(layer, norm.getKey() + ".bias"), norm.getValue());
                }
            }
            for (LinearSpec linear : spec.linears()) {
                tensors.put(spec.weightName(layer, linear), new Shape(linear.outFeatures(), linear.inFeatures()));
                if (linear.bias()) {
                    tensors.put(spec.biasName(layer, linear), new Shape(linear.outFeatures()));
                }
            }
        }
        return tensors;
    }

    /** A block's norms by name inside the block, with their shapes. */
    static Map<String, Shape> norms(DecoderSpec spec) {
        DecoderSpec.TensorNames names = spec.names();
        Shape hidden = new Shape(spec.dims().hidden());
        Shape head = new Shape(spec.dims().headDim());
        Map<String, Shape> norms = new LinkedHashMap<>();
        norms.put(names.attentionNorm(), hidden);
        norms.put(names.mlpNorm(), hidden);
        names.postAttentionNorm().ifPresent(name -> norms.put(name, hidden));
        names.postMlpNorm().ifPresent(name -> norms.put(name, hidden));
        names.queryNorm().ifPresent(name -> norms.put(name, head));
        names.keyNorm().ifPresent(name -> norms.put(name, head));
        return norms;
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

    /** Random normal weights (std 0.02; norms at their identity) with real shapes, for benchmarks and tests. */
    static DecoderWeights random(DecoderSpec spec, NDManager manager, long seed) {
        Random random = new Random(seed);
        try {
            return new DecoderWeights(spec, manager, (name, shape, into) -> {
                boolean norm = name.endsWith("norm.weight") || name.endsWith("layernorm.weight") || name.endsWith("_norm.weight");
                if (norm || name.endsWith(".bias")) {
                    boolean one = norm && spec.norm().kind() != NormKind.RMS_ONE_PLUS;
                    return one ? into.ones(shape) : into.zeros(shape);
                }
                float[] values = new float[Math.toIntExact(shape.size())];
                for (int i = 0; i < values.length; i++) {
                    values[i] = (float) (random.nextGaussian() * 0.02);
                }
                return OwnedArrays.of(into, values, shape);
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Block {@code layer}'s weights, loading them on first use. */
    synchronized BlockWeights block(int layer) {
        if (layer < 0 || layer >= blocks.length) {
            throw new IllegalArgumentException("layer " + layer + " outside 0.." + (blocks.length - 1));
        }
        if (blocks[layer] == null) {
            try {
                blocks[layer] = load(layer);
            } catch (IOException e) {
                throw new UncheckedIOException("loading block " + layer + ": " + e.getMessage(), e);
            }
        }
        return blocks[layer];
    }

    /** Frees block {@code layer}'s weights; replaced ones only when {@code evenIfReplaced}. */
    synchronized void unload(int layer, boolean evenIfReplaced) {
        BlockWeights weights = blocks[layer];
        if (weights != null && (evenIfReplaced || !weights.modified())) {
            weights.close();
            blocks[layer] = null;
        }
    }

    private BlockWeights load(int layer) throws IOException {
        NDManager blockManager = manager.newSubManager();
        try {
            BlockWeights weights = new BlockWeights(blockManager);
            boolean layerNorm = spec.norm().kind() == NormKind.LAYER_NORM;
            for (Map.Entry<String, Shape> norm : norms(spec).entrySet()) {
                String name = spec.names().block(layer, norm.getKey());
                weights.putNorm(norm.getKey(), source.tensor(name + ".weight", norm.getValue(), blockManager),
                        layerNorm ? source.tensor(name + ".bias", norm.getValue(), blockManager) : null);
            }
            for (LinearSpec linear : spec.linears()) {
                weights.putWeight(linear.name(), source.tensor(spec.weightName(layer, linear),
                        new Shape(linear.outFeatures(), linear.inFeatures()), blockManager));
                if (linear.bias()) {
                    weights.putBias(linear.name(), source.tensor(spec.biasName(layer, linear), new Shape(linear.outFeatures()),
                            blockManager));
                }
            }
            return weights;
        } catch (IOException | RuntimeException e) {
            blockManager.close();
            throw e;
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
