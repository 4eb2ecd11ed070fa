package dev.calibra.model.decoder;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import dev.calibra.model.CausalLm;
import dev.calibra.model.KvCache;
import dev.calibra.model.LinearHook;
import dev.calibra.model.OwnedArrays;
import dev.calibra.model.config.ModelConfig;
import dev.calibra.model.decoder.DecoderSpec.Activation;
import dev.calibra.model.decoder.DecoderSpec.LayerAttention;
import dev.calibra.model.decoder.LinearSpec.Role;
import dev.calibra.model.safetensors.TensorSource;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The forward pass of a decoder-only transformer on DJL NDArrays, for any family its {@link DecoderSpec}
 * describes; each step follows the transformers modeling file of the family (modeling_llama, _qwen3,
 * _gemma2, _gemma3, _phi3, _opt). Each block call runs in its own child manager; only its output is handed
 * back to the caller's manager.
 */
public final class DecoderModel implements CausalLm {

    /** Budget for the largest temporary of one block chunk (see rowsPerChunk). */
    private static final long CHUNK_BYTES = 16L * 1024 * 1024;

    private final ModelConfig config;
    private final DecoderSpec spec;
    private final NDManager manager;
    private final DecoderWeights weights;

    private DecoderModel(ModelConfig config, NDManager manager, DecoderWeights weights) {
        this.config = config;
        this.spec = config.decoder();
        this.manager = manager;
        this.weights = weights;
    }

    /** A model whose blocks load lazily from {@code checkpoint} (which must stay open while the model is used). */
    public static DecoderModel load(ModelConfig config, TensorSource checkpoint, Device device) throws IOException {
        NDManager manager = NDManager.newBaseManager(device);
        try {
            return new DecoderModel(config, manager, DecoderWeights.fromCheckpoint(config.decoder(), checkpoint, manager));
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** A model with random weights and real shapes (benchmarks, tests). */
    public static DecoderModel random(ModelConfig config, Device device, long seed) {
        NDManager manager = NDManager.newBaseManager(device);
        return new DecoderModel(config, manager, DecoderWeights.random(config.decoder(), manager, seed));
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    public DecoderSpec spec() {
        return spec;
    }

    @Override
    public Device device() {
        return manager.getDevice();
    }

    @Override
    public int numLayers() {
        return spec.dims().layers();
    }

    @Override
    public int vocabSize() {
        return spec.dims().vocab();
    }

    @Override
    public NDManager newManager() {
        return manager.newSubManager();
    }

    @Override
    public NDArray forward(NDArray ids, KvCache cache) {
        int offset = cache == null ? 0 : cache.length();
        NDArray hidden = embed(ids, offset);
        for (int layer = 0; layer < numLayers(); layer++) {
            NDArray next = block(layer, hidden, LinearHook.NONE, cache, offset);
            hidden.close();
            hidden = next;
        }
        NDArray logits = head(hidden);
        hidden.close();
        if (cache != null) {
            cache.advance(Math.toIntExact(ids.getShape().get(1)));
        }
        return logits;
    }

    @Override
    public NDArray embed(NDArray ids) {
        return embed(ids, 0);
    }

    /** Token embeddings (scaled, projected) plus learned positions offset..offset+seq-1 where the family has them. */
    private NDArray embed(NDArray ids, int offset) {
        NDManager caller = ids.getManager();
        try (NDManager scope = caller.newSubManager()) {
            Shape shape = ids.getShape();
            ids.tempAttach(scope);
            NDArray flat = ids.toDevice(device(), false).toType(DataType.INT64, false).reshape(-1);
            // rows of embed_tokens for each id
            NDArray hidden = flat.getNDArrayInternal().embedding(flat, weights.embedTokens, SparseFormat.DENSE).head()
                    .reshape(shape.get(0), shape.get(1), spec.embedding().width());
            if (spec.embedding().scale() != 1f) {
                // Gemma: inputs_embeds * normalizer, sqrt(hidden_size) in the weights' dtype
                hidden = hidden.mul(spec.embedding().scale());
            }
            if (weights.projectIn != null) {
                // OPT: project_in from word_embed_proj_dim to hidden_size
                hidden = linear(hidden, weights.projectIn, null);
            }
            if (weights.embedPositions != null) {
                // OPT: learned positions, row position + 2
                int shift = spec.embedding().learnedPositionShift().orElseThrow();
                long seq = shape.get(1);
                NDArray rows = scope.arange(offset + shift, offset + shift + (int) seq).toType(DataType.INT64, false);
                NDArray positions = rows.getNDArrayInternal().embedding(rows, weights.embedPositions, SparseFormat.DENSE).head();
                hidden = hidden.add(positions);
            }
            hidden.attach(caller);
            return hidden;
        }
    }

    @Override
    public NDArray block(int layer, NDArray hidden, LinearHook hook) {
        return block(layer, hidden, hook, null, 0);
    }

    private NDArray block(int layer, NDArray hidden, LinearHook hook, KvCache cache, int offset) {
        BlockWeights w = weights.block(layer);
        NDManager caller = hidden.getManager();
        long batch = hidden.getShape().get(0);
        long rows = cache == null ? rowsPerChunk(hidden.getShape().get(1)) : batch;
        try (NDManager scope = caller.newSubManager()) {
            hidden.tempAttach(scope);
            NDArray out;
            if (rows >= batch) {
                out = blockRows(layer, w, hidden, hook, cache, offset);
            } else {
                // a few sequences at a time, each chunk in its own scope, then joined
                NDList parts = new NDList();
                for (long start = 0; start < batch; start += rows) {
                    try (NDManager chunkScope = scope.newSubManager()) {
                        NDArray part = hidden.get("{}:{}", start, Math.min(batch, start + rows));
                        part.attach(chunkScope);
                        NDArray partOut = blockRows(layer, w, part, hook, null, offset);
                        partOut.attach(scope);
                        parts.add(partOut);
                    }
                }
                out = NDArrays.concat(parts, 0);
            }
            out.attach(caller);
            return out;
        }
    }

    /**
     * Sequences per chunk so that the largest temporaries (attention scores, MLP activations) stay under
     * CHUNK_BYTES: this bounds memory for many calibration samples, and keeps freed buffers reusable
     * (glibc returns allocations above 32 MB to the kernel, and faulting them in again costs more than the math).
     */
    private long rowsPerChunk(long seq) {
        long widest = Math.max(2L * spec.dims().intermediate(), (long) spec.dims().heads() * seq);
        long bytesPerRow = seq * widest * Float.BYTES;
        return Math.max(1, CHUNK_BYTES / Math.max(1, bytesPerRow));
    }

    /** One block over x [rows, seq, hidden]; temporaries land in x's manager. */
    private NDArray blockRows(int layer, BlockWeights w, NDArray x, LinearHook hook, KvCache cache, int offset) {
        NDManager scope = x.getManager();
        DecoderSpec.TensorNames names = spec.names();
        return switch (spec.layout()) {
            case PRE_NORM -> {
                // h = x + attn(norm1(x)); out = h + mlp(norm2(h))
                NDArray h = x.add(attention(layer, w, norm(x, w, names.attentionNorm()), hook, cache, offset, scope));
                yield h.add(mlp(layer, w, norm(h, w, names.mlpNorm()), hook));
            }
            case SANDWICH -> {
                // Gemma: h = x + post_attention_norm(attn(input_norm(x))); out = h + post_ff_norm(mlp(pre_ff_norm(h)))
                NDArray attended = attention(layer, w, norm(x, w, names.attentionNorm()), hook, cache, offset, scope);
                NDArray h = x.add(norm(attended, w, names.postAttentionNorm().orElseThrow()));
                NDArray fed = mlp(layer, w, norm(h, w, names.mlpNorm()), hook);
                yield h.add(norm(fed, w, names.postMlpNorm().orElseThrow()));
            }
            case POST_NORM -> {
                // OPT, do_layer_norm_before=False: h = norm1(x + attn(x)); out = norm2(h + mlp(h))
                NDArray h = norm(x.add(attention(layer, w, x, hook, cache, offset, scope)), w, names.attentionNorm());
                yield norm(h.add(mlp(layer, w, h, hook)), w, names.mlpNorm());
            }
        };
    }

    @Override
    public NDArray sublayer(int layer, Sublayer sublayer, NDArray input, Map<String, NDArray> replaced) {
        replaced.keySet().forEach(spec::linear);                   // unknown names are refused, not ignored
        BlockWeights w = weights.block(layer).withWeights(replaced);
        NDManager caller = input.getManager();
        try (NDManager scope = caller.newSubManager()) {
            input.tempAttach(scope);
            NDArray out = switch (sublayer) {
                case ATTENTION -> attention(layer, w, input, LinearHook.NONE, null, 0, scope);
                case MLP -> mlp(layer, w, input, LinearHook.NONE);
            };
            out.attach(caller);
            return out;
        }
    }

    @Override
    public NDArray head(NDArray hidden) {
        NDManager caller = hidden.getManager();
        try (NDManager scope = caller.newSubManager()) {
            hidden.tempAttach(scope);
            NDArray h = hidden;
            if (weights.finalNormWeight != null) {
                h = norm(h, weights.finalNormWeight, weights.finalNormBias);
            }
            if (weights.projectOut != null) {
                h = linear(h, weights.projectOut, null);
            }
            // logits = lm_head(h), soft-capped where the family says so
            NDArray logits = softcap(linear(h, weights.lmHead, null), spec.head().softcap());
            logits.attach(caller);
            return logits;
        }
    }

    private NDArray norm(NDArray x, BlockWeights w, String name) {
        return norm(x, w.normWeight(name), w.normBias(name));
    }

    /** RMSNorm, Gemma's RMSNorm of (1 + w), or LayerNorm, over the last axis. */
    private NDArray norm(NDArray x, NDArray weight, NDArray bias) {
        double eps = spec.norm().eps();
        return switch (spec.norm().kind()) {
            // x * rsqrt(mean(x^2) + eps) * w
            case RMS -> x.mul(x.square().mean(new int[] {-1}, true).add((float) eps).pow(-0.5f)).mul(weight);
            // x * rsqrt(mean(x^2) + eps) * (1 + w)
            case RMS_ONE_PLUS -> x.mul(x.square().mean(new int[] {-1}, true).add((float) eps).pow(-0.5f)).mul(weight.add(1f));
            // (x - mean) / sqrt(var + eps) * w + b, var biased
            case LAYER_NORM -> {
                NDArray centered = x.sub(x.mean(new int[] {-1}, true));
                NDArray variance = centered.square().mean(new int[] {-1}, true);
                yield centered.mul(variance.add((float) eps).pow(-0.5f)).mul(weight).add(bias);
            }
        };
    }

    /** x W^T + b through torch's linear (the result stays in x's manager). */
    private static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        return x.getNDArrayInternal().linear(x, weight, bias).head();
    }

    private NDArray projection(int layer, BlockWeights w, LinearSpec linear, NDArray x, LinearHook hook) {
        NDArray bias = w.bias(linear.name());
        if (hook == LinearHook.NONE) {
            return linear(x, w.weight(linear.name()), bias);
        }
        // the linear's input and output as [tokens, features]
        hook.onInput(layer, linear.name(), x.reshape(-1, x.getShape().tail()));
        NDArray y = linear(x, w.weight(linear.name()), bias);
        NDArray withoutBias = bias == null ? y : y.sub(bias);
        hook.onOutput(layer, linear.name(), withoutBias.reshape(-1, withoutBias.getShape().tail()));
        return y;
    }

    private NDArray projection(int layer, BlockWeights w, Role role, NDArray x, LinearHook hook) {
        return projection(layer, w, spec.linear(role).orElseThrow(), x, hook);
    }

    private NDArray attention(int layer, BlockWeights w, NDArray x, LinearHook hook, KvCache cache, int offset, NDManager scope) {
        DecoderSpec.Dims dims = spec.dims();
        long batch = x.getShape().get(0);
        int seq = Math.toIntExact(x.getShape().get(1));
        int headDim = dims.headDim();
        long qWidth = (long) dims.heads() * headDim;
        long kvWidth = (long) dims.kvHeads() * headDim;
        NDArray q;
        NDArray k;
        NDArray v;
        if (spec.linear(Role.FUSED_QKV).isPresent()) {
            // Phi-3: qkv_proj, split as [q | k | v]
            NDArray qkv = projection(layer, w, Role.FUSED_QKV, x, hook);
            q = qkv.get("..., :{}", qWidth);
            k = qkv.get("..., {}:{}", qWidth, qWidth + kvWidth);
            v = qkv.get("..., {}:", qWidth + kvWidth);
        } else {
            q = projection(layer, w, Role.QUERY, x, hook);
            k = projection(layer, w, Role.KEY, x, hook);
            v = projection(layer, w, Role.VALUE, x, hook);
        }
        // [batch, heads, seq, head_dim]
        q = q.reshape(batch, seq, dims.heads(), headDim).transpose(0, 2, 1, 3);
        k = k.reshape(batch, seq, dims.kvHeads(), headDim).transpose(0, 2, 1, 3);
        v = v.reshape(batch, seq, dims.kvHeads(), headDim).transpose(0, 2, 1, 3);
        if (spec.attention().qkNorm()) {
            // Qwen3, Gemma 3: per-head norm of q and k over head_dim, before the rotary embedding
            q = norm(q, w, spec.names().queryNorm().orElseThrow());
            k = norm(k, w, spec.names().keyNorm().orElseThrow());
        }
        LayerAttention kind = spec.layers().get(layer);
        if (kind.rope().isPresent()) {
            // rotary embedding at absolute positions offset..offset+seq-1
            NDArray[] cosSin = Rotary.cosSin(kind.rope().get(), scope, offset, seq, offset + seq);
            q = Rotary.apply(q, cosSin[0], cosSin[1]);
            k = Rotary.apply(k, cosSin[0], cosSin[1]);
        }
        if (cache != null) {
            NDArray[] cached = cache.append(layer, k, v);
            k = cached[0];
            v = cached[1];
            k.tempAttach(scope);
            v.tempAttach(scope);
        }
        int positions = Math.toIntExact(k.getShape().get(2));
        // grouped-query attention: each k/v head serves groupSize consecutive query heads (repeat_kv)
        if (dims.groupSize() > 1) {
            k = k.repeat(1, dims.groupSize());
            v = v.repeat(1, dims.groupSize());
        }
        // softmax(cap(q k^T * scaling) + mask) v; the scale goes on q, the smaller operand
        NDArray scores = softcap(q.mul((float) spec.attention().scaling()).matMul(k.transpose(0, 1, 3, 2)),
                spec.attention().softcap());
        int window = kind.sliding() ? spec.attention().slidingWindow() : 0;
        if (seq > 1 || (window > 0 && positions > window)) {
            scores = scores.add(mask(scope, seq, positions, window));
        }
        NDArray context = scores.softmax(-1).matMul(v).transpose(0, 2, 1, 3).reshape(batch, seq, qWidth);
        return projection(layer, w, Role.OUTPUT, context, hook);
    }

    /** {@code tanh(x / cap) * cap}; x itself when cap is 0. */
    private static NDArray softcap(NDArray x, double cap) {
        return cap == 0 ? x : x.div((float) cap).tanh().mul((float) cap);
    }

    /**
     * [seq, positions] additive mask: query i (absolute position positions-seq+i) sees keys j <= that, and in a
     * sliding layer only keys less than {@code window} positions back (masking_utils' sliding_window_overlay).
     */
    private static NDArray mask(NDManager scope, int seq, int positions, int window) {
        float[] mask = new float[seq * positions];
        int first = positions - seq;
        for (int i = 0; i < seq; i++) {
            int query = first + i;
            for (int j = 0; j < positions; j++) {
                if (j > query || (window > 0 && query - j >= window)) {
                    mask[i * positions + j] = Float.NEGATIVE_INFINITY;
                }
            }
        }
        return scope.create(mask, new Shape(seq, positions));
    }

    /** Gated: down(act(gate(x)) * up(x)), gate/up fused or not; plain: fc2(act(fc1(x))). */
    private NDArray mlp(int layer, BlockWeights w, NDArray x, LinearHook hook) {
        Activation activation = spec.mlp().activation();
        if (!spec.mlp().gated()) {
            return projection(layer, w, Role.DOWN, activate(projection(layer, w, Role.UP, x, hook), activation), hook);
        }
        NDArray gate;
        NDArray up;
        if (spec.linear(Role.FUSED_GATE_UP).isPresent()) {
            // Phi-3: gate_up_proj, split as [gate | up]
            NDArray gateUp = projection(layer, w, Role.FUSED_GATE_UP, x, hook);
            long half = gateUp.getShape().tail() / 2;
            gate = gateUp.get("..., :{}", half);
            up = gateUp.get("..., {}:", half);
        } else {
            gate = projection(layer, w, Role.GATE, x, hook);
            up = projection(layer, w, Role.UP, x, hook);
        }
        return projection(layer, w, Role.DOWN, activate(gate, activation).mul(up), hook);
    }

    private static NDArray activate(NDArray x, Activation activation) {
        return switch (activation) {
            // silu(x) = x * sigmoid(x)
            case SILU -> x.mul(x.getNDArrayInternal().sigmoid());
            case RELU -> x.getNDArrayInternal().relu();
            // gelu_pytorch_tanh: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
            case GELU_TANH -> x.mul(0.5f).mul(x.add(x.pow(3).mul(0.044715f)).mul((float) Math.sqrt(2 / Math.PI)).tanh().add(1f));
            // gelu: 0.5 x (1 + erf(x / sqrt(2)))
            case GELU -> x.mul(0.5f).mul(x.div((float) Math.sqrt(2)).erf().add(1f));
        };
    }

    @Override
    public List<LinearSpec> linears() {
        return spec.linears();
    }

    @Override
    public NDArray linearWeight(int layer, String linearName, NDManager into) {
        spec.linear(linearName);
        NDArray copy = weights.block(layer).weight(linearName).duplicate();
        copy.attach(into);
        return copy;
    }

    @Override
    public void setLinearWeight(int layer, String linearName, NDArray weight) {
        setLinearWeight(layer, linearName, weight.toType(DataType.FLOAT32, false).toFloatArray(), weight.getShape());
    }

    @Override
    public void setLinearWeight(int layer, String linearName, float[] weight) {
        LinearSpec linear = spec.linear(linearName);
        setLinearWeight(layer, linearName, weight, new Shape(linear.outFeatures(), linear.inFeatures()));
    }

    private void setLinearWeight(int layer, String linearName, float[] values, Shape shape) {
        LinearSpec linear = spec.linear(linearName);
        Shape expected = new Shape(linear.outFeatures(), linear.inFeatures());
        if (!expected.equals(shape) || values.length != expected.size()) {
            throw new IllegalArgumentException(linearName + " of block " + layer + " must be " + expected
                    + " (" + expected.size() + " values), got " + shape + " (" + values.length + " values)");
        }
        BlockWeights w = weights.block(layer);
        w.putWeight(linearName, OwnedArrays.of(w.manager(), values, expected));
    }

    @Override
    public void loadLayer(int layer) {
        weights.block(layer);
    }

    @Override
    public void unloadLayer(int layer) {
        weights.unload(layer, false);
    }

    @Override
    public void discardLayer(int layer) {
        weights.unload(layer, true);
    }

    /** Arrays alive in the model's manager tree (weights, caches, callers' managers from newManager): for leak checks. */
    public int openArrayCount() {
        return ((ai.djl.ndarray.BaseNDManager) manager).getManagedArrays().size();
    }

    @Override
    public void close() {
        weights.close();
    }
}
