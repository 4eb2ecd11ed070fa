package dev.calibra.compression.driver;

import dev.calibra.compression.spec.AwqSpec;
import dev.calibra.compression.spec.MethodSpec;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.calibra.compression.method.CompressedLayer;
import dev.calibra.compression.method.HessianNotPositiveDefiniteException;
import dev.calibra.compression.method.LayerCompressor;
import dev.calibra.rpc.CalibraException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import dev.calibra.model.CausalLm;
import dev.calibra.model.LinearHook;
import dev.calibra.model.decoder.LinearSpec;

/**
 * The layer loop of IST-DASLab/gptq {@code llama_sequential} and locuslab/wanda {@code prune_wanda}:
 * embed the calibration samples; for each block run them through it while a {@link LinearHook} feeds
 * every linear's input to its compressor, compress each linear and swap the result in, then recompute
 * the block's outputs with the compressed weights and feed them to the next block. With true-sequential
 * the linears are compressed in the groups the model's family gives (GPTQ's q/k/v, o, gate/up, down; Phi-3's
 * qkv, o, gate_up, down; OPT's q/k/v, out, fc1, fc2), the inputs captured again after each group. The methods
 * never see the model. AWQ weighs its scales by whole sublayers' outputs and feeds each block the original block's
 * output, so its blocks go through {@link AwqBlock} instead.
 */
public final class SequentialDriver {

    private final CausalLm model;
    private final MethodSpec spec;
    private final DriverListener listener;
    private long loadNanos;
    private long captureNanos;
    private long statisticsNanos;
    private long compressNanos;
    private long forwardNanos;

    public SequentialDriver(CausalLm model, MethodSpec spec, DriverListener listener) {
        this.model = model;
        this.spec = spec;
        this.listener = listener;
    }

    /**
     * Compresses every block from {@code resume.blocks()} on; the blocks before it take their weights from
     * {@code resume} and are only replayed to rebuild their outputs (bit-identical to the first run). Afterwards
     * the model holds the compressed weights, unless the listener {@link DriverListener#keepsWeights keeps them}:
     * then each block is dropped once done, so memory holds one block whatever the model's depth.
     *
     * @param samples calibration token ids {@code [n_samples][seq_len]}; null for a data-free method
     *                without calibration set (then nothing runs through the model and no error is measured)
     * @return every linear's result, in block order (resumed blocks included)
     */
    public List<LayerResult> run(int[][] samples, ResumeState resume) throws IOException {
        if (samples == null) {
            return runDataFree(resume);
        }
        requireSamples(samples);
        List<LayerResult> all = new ArrayList<>(resume.results());
        try (NDManager scope = model.newManager()) {
            NDArray ids = scope.create(flatten(samples), new Shape(samples.length, samples[0].length));
            NDArray hidden = model.embed(ids);
            AwqBlock awq = spec instanceof AwqSpec a ? new AwqBlock(model, a.settings(), spec.run().batchSequences(), listener) : null;
            for (int block = 0; block < model.numLayers(); block++) {
                load(block);
                NDArray next;
                if (block < resume.blocks()) {
                    // replay: the block's output as the first run computed it (AWQ's: the original block's)
                    if (awq == null) {
                        setWeights(block, resume);
                    }
                    next = forward(block, hidden);
                    if (awq != null) {
                        setWeights(block, resume);
                    }
                } else if (awq != null) {
                    int current = block;
                    long compressStart = System.nanoTime();
                    AwqBlock.Output done = awq.compress(block, hidden, (input, hook) -> forwardBlock(current, input, hook));
                    compressNanos += System.nanoTime() - compressStart;
                    all.addAll(done.results());
                    listener.blockDone(block, done.results());
                    next = done.next();                               // the original block's output, as llm-awq feeds on
                } else {
                    List<LayerResult> results = compressBlock(block, hidden, samples[0].length);
                    all.addAll(results);
                    listener.blockDone(block, results);
                    next = forward(block, hidden);                    // outputs with the compressed weights
                }
                hidden.close();
                hidden = next;
                release(all, block);
            }
        }
        return all;
    }

    private void load(int block) {
        long start = System.nanoTime();
        model.loadLayer(block);
        loadNanos += System.nanoTime() - start;
    }

    private void setWeights(int block, ResumeState resume) throws IOException {
        for (LayerResult done : resume.withWeights(block)) {
            model.setLinearWeight(block, done.linear(), done.layer().weight());
        }
    }

    private NDArray forward(int block, NDArray hidden) {
        long forwardStart = System.nanoTime();
        NDArray next = forwardBlock(block, hidden, LinearHook.NONE);
        forwardNanos += System.nanoTime() - forwardStart;
        return next;
    }

    /**
     * Frees a finished block: its original weights always; its compressed ones too, from the model and from
     * {@code all}, when the listener keeps them (checkpoints); otherwise the model stays the compressed model.
     */
    private void release(List<LayerResult> all, int block) {
        if (listener.keepsWeights()) {
            model.discardLayer(block);
            all.replaceAll(result -> result.block() == block ? result.released() : result);
        } else {
            model.unloadLayer(block);
        }
    }

    private List<LayerResult> runDataFree(ResumeState resume) throws IOException {
        if (spec.needsCalibration()) {
            throw CalibraException.invalidArgument("calibration_set_id: " + spec.name()
                    + " needs a calibration set");
        }
        List<LayerResult> all = new ArrayList<>(resume.results());
        for (int block = 0; block < resume.blocks(); block++) {
            release(all, block);
        }
        for (int block = resume.blocks(); block < model.numLayers(); block++) {
            load(block);
            List<LayerResult> results = new ArrayList<>();
            for (String linear : model.linearNames()) {
                listener.checkStop();
                try (LayerCompressor compressor = spec.newCompressor(false)) {
                    results.add(compressLinear(block, linear, compressor));
                }
            }
            all.addAll(results);
            listener.blockDone(block, results);
            release(all, block);
        }
        return all;
    }

    /** The block's linears by their family's sequential group, groups in order. */
    static List<List<String>> sequentialGroups(CausalLm model) {
        java.util.TreeMap<Integer, List<String>> groups = new java.util.TreeMap<>();
        for (LinearSpec linear : model.linears()) {
            groups.computeIfAbsent(linear.group(), group -> new ArrayList<>()).add(linear.name());
        }
        return List.copyOf(groups.values());
    }

    private List<LayerResult> compressBlock(int block, NDArray hidden, int seqLen) {
        List<List<String>> groups = spec.run().trueSequential() ? sequentialGroups(model) : List.of(model.linearNames());
        List<LayerResult> results = new ArrayList<>();
        for (List<String> group : groups) {
            Map<String, LayerCompressor> compressors = new LinkedHashMap<>();
            try {
                for (String linear : group) {
                    compressors.put(linear, spec.newCompressor(true));
                }
                // capture: each linear's input, [tokens, in] per chunk -> [sequences, seqLen, in]
                long captureStart = System.nanoTime();
                long statisticsBefore = statisticsNanos;
                NDArray discarded = forwardBlock(block, hidden, new LinearHook() {
                    @Override
                    public void onInput(int layer, String linear, NDArray input) {
                        LayerCompressor compressor = compressors.get(linear);
                        if (compressor != null) {
                            long start = System.nanoTime();
                            compressor.addBatch(input.reshape(-1, seqLen, input.getShape().get(1)));
                            statisticsNanos += System.nanoTime() - start;
                        }
                    }

                    @Override
                    public void onOutput(int layer, String linear, NDArray output) {
                        LayerCompressor compressor = compressors.get(linear);
                        if (compressor != null) {
                            long start = System.nanoTime();
                            compressor.addOutputs(output);
                            statisticsNanos += System.nanoTime() - start;
                        }
                    }
                });
                discarded.close();
                captureNanos += System.nanoTime() - captureStart - statisticsNanos + statisticsBefore;
                for (Map.Entry<String, LayerCompressor> entry : compressors.entrySet()) {
                    listener.checkStop();
                    results.add(compressLinear(block, entry.getKey(), entry.getValue()));
                }
            } finally {
                compressors.values().forEach(LayerCompressor::close);
            }
        }
        return results;
    }

    private LayerResult compressLinear(int block, String linear, LayerCompressor compressor) {
        long start = System.nanoTime();
        float[] weight;
        int rows;
        int columns;
        try (NDManager scratch = model.newManager()) {
            NDArray w = model.linearWeight(block, linear, scratch);
            rows = Math.toIntExact(w.getShape().get(0));
            columns = Math.toIntExact(w.getShape().get(1));
            weight = w.toFloatArray();
        }
        requireFinite(block, linear, weight, columns);
        CompressedLayer compressed;
        try {
            compressed = compressor.compress(weight, rows, columns);
        } catch (HessianNotPositiveDefiniteException e) {
            throw CalibraException.failedPrecondition("block " + block + " " + linear + ": " + e.getMessage());
        }
        model.setLinearWeight(block, linear, compressed.weight());
        compressNanos += System.nanoTime() - start;
        LayerResult result = new LayerResult(block, linear, compressed, (System.nanoTime() - start) / 1e9);
        listener.layerDone(result, model.numLayers());
        return result;
    }

    /** The block over all samples, {@code batchSequences} at a time; the output has the input's manager. */
    private NDArray forwardBlock(int block, NDArray hidden, LinearHook hook) {
        long n = hidden.getShape().get(0);
        int batch = spec.run().batchSequences();
        if (batch >= n) {
            return model.block(block, hidden, hook);
        }
        NDManager caller = hidden.getManager();
        try (NDManager scope = caller.newSubManager()) {
            NDList outputs = new NDList();
            for (long from = 0; from < n; from += batch) {
                NDArray slice = hidden.get(new NDIndex("{}:{}", from, Math.min(n, from + batch)));
                slice.attach(scope);
                outputs.add(model.block(block, slice, hook));
            }
            NDArray out = NDArrays.concat(outputs, 0);
            out.attach(caller);
            return out;
        }
    }

    /**
     * Where the time of the last run went, in seconds: load (reading each block's weights from the checkpoint),
     * capture (block forwards feeding the statistics, the statistics excluded), statistics (the methods' addBatch
     * and addOutputs: GPTQ's Hessians, Wanda's norms), compress (reading the weight, the method's kernel, swapping
     * it in; AWQ's searches with their forwards), forward (recomputing block outputs with the compressed weights,
     * and replaying resumed blocks).
     */
    public record Timings(double loadSeconds, double captureSeconds, double statisticsSeconds, double compressSeconds,
            double forwardSeconds) {}

    public Timings timings() {
        return new Timings(loadNanos / 1e9, captureNanos / 1e9, statisticsNanos / 1e9, compressNanos / 1e9,
                forwardNanos / 1e9);
    }

    private static void requireFinite(int block, String linear, float[] weight, int columns) {
        for (int k = 0; k < weight.length; k++) {
            if (!Float.isFinite(weight[k])) {
                throw CalibraException.invalidArgument("model weight block " + block + " " + linear + " ["
                        + k / columns + ", " + k % columns + "] is " + weight[k] + "; compression needs finite weights");
            }
        }
    }

    private static void requireSamples(int[][] samples) {
        if (samples.length == 0 || samples[0].length < 2) {
            throw CalibraException.invalidArgument("calibration set: needs at least one sample of at least 2 tokens");
        }
        for (int i = 0; i < samples.length; i++) {
            if (samples[i].length != samples[0].length) {
                throw CalibraException.invalidArgument("calibration set: sample " + i + " has " + samples[i].length
                        + " tokens, sample 0 has " + samples[0].length);
            }
        }
    }

    private static int[] flatten(int[][] samples) {
        int seq = samples[0].length;
        int[] flat = new int[samples.length * seq];
        for (int i = 0; i < samples.length; i++) {
            System.arraycopy(samples[i], 0, flat, i * seq, seq);
        }
        return flat;
    }
}
