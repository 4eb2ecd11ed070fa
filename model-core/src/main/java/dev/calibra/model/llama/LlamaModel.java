package dev.calibra.model.llama;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import dev.calibra.model.CausalLm;
import dev.calibra.model.KvCache;
import dev.calibra.model.LinearHook;
import dev.calibra.model.OwnedArrays;
import dev.calibra.model.config.LlamaConfig;
import dev.calibra.model.safetensors.TensorSource;
import java.io.IOException;
import java.util.List;

/**
 * The Llama forward pass (also Mistral and Qwen2) on DJL NDArrays, following transformers'
 * {@code modeling_llama.py}: pre-RMSNorm blocks with rotary grouped-query attention and a SiLU-gated MLP.
 * Each block call runs in its own child manager; only its output is handed back to the caller's manager.
 */
public final class LlamaModel implements CausalLm {

    /** Budget for the largest temporary of one block chunk (see rowsPerChunk). */
    private static final long CHUNK_BYTES = 16L * 1024 * 1024;

    private final LlamaConfig config;
    private final NDManager manager;
    private final LlamaWeights weights;
    private final RotaryEmbedding rotary;

    private LlamaModel(LlamaConfig config, NDManager manager, LlamaWeights weights) {
        this.config = config;
        this.manager = manager;
        this.weights = weights;
        this.rotary = new RotaryEmbedding(config.headDim(), config.ropeTheta());
    }

    /** A model whose blocks load lazily from {@code checkpoint} (which must stay open while the model is used). */
    public static LlamaModel load(LlamaConfig config, TensorSource checkpoint, Device device) throws IOException {
        NDManager manager = NDManager.newBaseManager(device);
        try {
            return new LlamaModel(config, manager, LlamaWeights.fromCheckpoint(config, checkpoint, manager));
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** A model with random weights and real shapes (benchmarks, tests). */
    public static LlamaModel random(LlamaConfig config, Device device, long seed) {
        NDManager manager = NDManager.newBaseManager(device);
        return new LlamaModel(config, manager, LlamaWeights.random(config, manager, seed));
    }

    @Override
    public LlamaConfig config() {
        return config;
    }

    @Override
    public Device device() {
        return manager.getDevice();
    }

    @Override
    public int numLayers() {
        return config.numHiddenLayers();
    }

    @Override
    public int vocabSize() {
        return config.vocabSize();
    }

    @Override
    public NDManager newManager() {
        return manager.newSubManager();
    }

    @Override
    public NDArray forward(NDArray ids, KvCache cache) {
        int offset = cache == null ? 0 : cache.length();
        NDArray hidden = embed(ids);
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
        NDManager caller = ids.getManager();
        try (NDManager scope = caller.newSubManager()) {
            Shape shape = ids.getShape();
            ids.tempAttach(scope);
            NDArray flat = ids.toDevice(device(), false).toType(DataType.INT64, false).reshape(-1);
            // rows of embed_tokens for each id
            NDArray rows = flat.getNDArrayInternal().embedding(flat, weights.embedTokens, SparseFormat.DENSE).head();
            NDArray hidden = rows.reshape(shape.get(0), shape.get(1), config.hiddenSize());
            hidden.attach(caller);
            return hidden;
        }
    }

    @Override
    public NDArray block(int layer, NDArray hidden, LinearHook hook) {
        return block(layer, hidden, hook, null, 0);
    }

    private NDArray block(int layer, NDArray hidden, LinearHook hook, KvCache cache, int offset) {
        LlamaLayerWeights w = weights.layer(layer);
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
        long widest = Math.max(config.intermediateSize(), (long) config.numAttentionHeads() * seq);
        long bytesPerRow = seq * widest * Float.BYTES;
        return Math.max(1, CHUNK_BYTES / Math.max(1, bytesPerRow));
    }

    /** One block over x [rows, seq, hidden]; temporaries land in x's manager. */
    private NDArray blockRows(int layer, LlamaLayerWeights w, NDArray x, LinearHook hook, KvCache cache, int offset) {
        NDManager scope = x.getManager();
        // h = x + attn(rms_norm(x))
        NDArray h = x.add(attention(layer, w, rmsNorm(x, w.inputNorm), hook, cache, offset, scope));
        // out = h + mlp(rms_norm(h))
        return h.add(mlp(layer, w, rmsNorm(h, w.postAttentionNorm), hook));
    }

    @Override
    public NDArray head(NDArray hidden) {
        NDManager caller = hidden.getManager();
        try (NDManager scope = caller.newSubManager()) {
            hidden.tempAttach(scope);
            // logits = lm_head(norm(h))
            NDArray logits = linear(rmsNorm(hidden, weights.finalNorm), weights.lmHead, null);
            logits.attach(caller);
            return logits;
        }
    }

    /** x * rsqrt(mean(x^2) + eps) * weight, over the hidden axis. */
    private NDArray rmsNorm(NDArray x, NDArray weight) {
        NDArray variance = x.square().mean(new int[] {-1}, true);
        return x.mul(variance.add((float) config.rmsNormEps()).pow(-0.5f)).mul(weight);
    }

    /** x W^T + b through torch's linear (the result stays in x's manager). */
    private static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        return x.getNDArrayInternal().linear(x, weight, bias).head();
    }

    private NDArray projection(int layer, LlamaLayerWeights w, LinearName linear, NDArray x, LinearHook hook) {
        if (hook == LinearHook.NONE) {
            return linear(x, w.weight(linear), w.bias(linear));
        }
        // the linear's input and output as [tokens, features]
        hook.onInput(layer, linear.hfName(), x.reshape(-1, x.getShape().tail()));
        NDArray bias = w.bias(linear);
        NDArray y = linear(x, w.weight(linear), bias);
        NDArray withoutBias = bias == null ? y : y.sub(bias);
        hook.onOutput(layer, linear.hfName(), withoutBias.reshape(-1, withoutBias.getShape().tail()));
        return y;
    }

    private NDArray attention(int layer, LlamaLayerWeights w, NDArray x, LinearHook hook, KvCache cache, int offset,
            NDManager scope) {
        long batch = x.getShape().get(0);
        int seq = Math.toIntExact(x.getShape().get(1));
        int heads = config.numAttentionHeads();
        int kvHeads = config.numKeyValueHeads();
        int headDim = config.headDim();
        // q, k, v: [batch, heads, seq, head_dim]
        NDArray q = projection(layer, w, LinearName.Q_PROJ, x, hook).reshape(batch, seq, heads, headDim).transpose(0, 2, 1, 3);
        NDArray k = projection(layer, w, LinearName.K_PROJ, x, hook).reshape(batch, seq, kvHeads, headDim).transpose(0, 2, 1, 3);
        NDArray v = projection(layer, w, LinearName.V_PROJ, x, hook).reshape(batch, seq, kvHeads, headDim).transpose(0, 2, 1, 3);
        // rotary embedding at absolute positions offset..offset+seq-1
        NDArray[] cosSin = rotary.cosSin(scope, offset, seq);
        q = RotaryEmbedding.apply(q, cosSin[0], cosSin[1]);
        k = RotaryEmbedding.apply(k, cosSin[0], cosSin[1]);
        if (cache != null) {
            NDArray[] cached = cache.append(layer, k, v);
            k = cached[0];
            v = cached[1];
            k.tempAttach(scope);
            v.tempAttach(scope);
        }
        int positions = Math.toIntExact(k.getShape().get(2));
        // grouped-query attention: each k/v head serves groupSize consecutive query heads (repeat_kv)
        if (config.groupSize() > 1) {
            k = k.repeat(1, config.groupSize());
            v = v.repeat(1, config.groupSize());
        }
        // softmax(q k^T / sqrt(d) + causal mask) v; the scale goes on q, the smaller operand
        NDArray scores = q.mul(1.0f / (float) Math.sqrt(headDim)).matMul(k.transpose(0, 1, 3, 2));
        if (seq > 1) {
            scores = scores.add(causalMask(scope, seq, positions));
        }
        NDArray context = scores.softmax(-1).matMul(v).transpose(0, 2, 1, 3).reshape(batch, seq, (long) heads * headDim);
        return projection(layer, w, LinearName.O_PROJ, context, hook);
    }

    /** [seq, positions] additive mask: query i (absolute position positions-seq+i) sees keys j <= that. */
    private static NDArray causalMask(NDManager scope, int seq, int positions) {
        float[] mask = new float[seq * positions];
        int first = positions - seq;
        for (int i = 0; i < seq; i++) {
            for (int j = first + i + 1; j < positions; j++) {
                mask[i * positions + j] = Float.NEGATIVE_INFINITY;
            }
        }
        return scope.create(mask, new Shape(seq, positions));
    }

    /** down_proj(silu(gate_proj(x)) * up_proj(x)). */
    private NDArray mlp(int layer, LlamaLayerWeights w, NDArray x, LinearHook hook) {
        NDArray gate = projection(layer, w, LinearName.GATE_PROJ, x, hook);
        NDArray up = projection(layer, w, LinearName.UP_PROJ, x, hook);
        // silu(g) = g * sigmoid(g)
        NDArray activated = gate.mul(gate.getNDArrayInternal().sigmoid()).mul(up);
        return projection(layer, w, LinearName.DOWN_PROJ, activated, hook);
    }

    @Override
    public List<String> linearNames() {
        return LinearName.HF_NAMES;
    }

    @Override
    public NDArray linearWeight(int layer, String linearName, NDManager into) {
        NDArray weight = weights.layer(layer).weight(LinearName.fromHfName(linearName));
        NDArray copy = weight.duplicate();
        copy.attach(into);
        return copy;
    }

    @Override
    public void setLinearWeight(int layer, String linearName, NDArray weight) {
        setLinearWeight(layer, linearName, weight.toType(DataType.FLOAT32, false).toFloatArray(), weight.getShape());
    }

    @Override
    public void setLinearWeight(int layer, String linearName, float[] weight) {
        LinearName linear = LinearName.fromHfName(linearName);
        setLinearWeight(layer, linearName, weight, weights.linearShape(linear));
    }

    private void setLinearWeight(int layer, String linearName, float[] values, Shape shape) {
        LinearName linear = LinearName.fromHfName(linearName);
        Shape expected = weights.linearShape(linear);
        if (!expected.equals(shape) || values.length != expected.size()) {
            throw new IllegalArgumentException(linearName + " of block " + layer + " must be " + expected
                    + " (" + expected.size() + " values), got " + shape + " (" + values.length + " values)");
        }
        LlamaLayerWeights w = weights.layer(layer);
        w.putWeight(linear, OwnedArrays.of(w.manager(), values, expected));
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
