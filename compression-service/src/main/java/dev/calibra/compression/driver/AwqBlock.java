package dev.calibra.compression.driver;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.calibra.compression.method.AwqLayer;
import dev.calibra.compression.method.AwqLinear;
import dev.calibra.compression.method.AwqScaleSearch;
import dev.calibra.compression.method.AwqSettings;
import dev.calibra.compression.method.LinearOutputError;
import dev.calibra.model.CausalLm;
import dev.calibra.model.CausalLm.Sublayer;
import dev.calibra.model.LinearHook;
import dev.calibra.model.OwnedArrays;
import dev.calibra.model.decoder.LinearSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * AWQ on one block, in llm-awq's order (pre_quant.py {@code run_awq}, then entry.py's quantization): capture every
 * linear's input with the original weights (that pass's output feeds the next block: AWQ does not propagate
 * quantization error), search each scaling group's scales ({@link AwqGroups}) on the original weights, apply them
 * all (linears' columns times s; a previous linear's rows divided by s), search each linear's clipping range on the
 * scaled weight and inputs, and quantize. The model's norms stay as they were: each linear takes its effective
 * weight {@code Q(W s) / s}, which on the unscaled inputs computes what the folded model computes; the writer folds
 * the scales into the norms when it packs.
 */
final class AwqBlock {

    private final CausalLm model;
    private final AwqSettings settings;
    private final int batchSequences;
    private final DriverListener listener;
    private final List<AwqGroups.Group> groups;

    AwqBlock(CausalLm model, AwqSettings settings, int batchSequences, DriverListener listener) {
        this.model = model;
        this.settings = settings;
        this.batchSequences = batchSequences;
        this.listener = listener;
        this.groups = AwqGroups.of(model.config().decoder());
    }

    /** The block's results, and its output with the original weights (the next block's input). */
    record Output(List<LayerResult> results, NDArray next) {}

    /**
     * @param hidden  the block's input {@code [sequences, seqLen, hidden]}; the output lands in its manager
     * @param forward the block's forward with a hook (the driver's, batched)
     */
    Output compress(int block, NDArray hidden, BiFunction<NDArray, LinearHook, NDArray> forward) {
        long start = System.nanoTime();
        long sequences = hidden.getShape().get(0);
        long seqLen = hidden.getShape().get(1);
        try (NDManager scope = hidden.getManager().newSubManager()) {
            Map<String, NDList> chunks = new HashMap<>();
            Map<String, String> feederOf = new HashMap<>();
            for (AwqGroups.Group group : groups) {
                feederOf.put(group.linears().get(0).name(), group.precededBy());   // one capture per distinct input
            }
            NDArray next = forward.apply(hidden, new LinearHook() {
                @Override
                public void onInput(int layer, String linear, NDArray input) {
                    String feeder = feederOf.get(linear);
                    if (feeder != null) {
                        NDArray copy = input.duplicate();
                        copy.attach(scope);
                        chunks.computeIfAbsent(feeder, key -> new NDList()).add(copy);
                    }
                }
            });
            Map<String, NDArray> inputs = new HashMap<>();
            chunks.forEach((feeder, list) -> inputs.put(feeder, list.size() == 1 ? list.get(0) : NDArrays.concat(list, 0)));
            // one per distinct input: its gram serves every linear it feeds (freed with the scope)
            Map<String, LinearOutputError> outputs = new HashMap<>();
            inputs.forEach((feeder, x) -> outputs.put(feeder, new LinearOutputError(x)));

            Map<String, float[]> original = new LinkedHashMap<>();
            for (LinearSpec linear : model.linears()) {
                try (NDManager weights = scope.newSubManager()) {
                    original.put(linear.name(), model.linearWeight(block, linear.name(), weights).toFloatArray());
                }
            }
            // 1. every group's scales, searched on the original weights
            Map<String, float[]> inputScales = new HashMap<>();
            Map<String, float[]> outputScales = new HashMap<>();
            Map<String, Double> alphas = new HashMap<>();
            for (AwqGroups.Group group : groups) {
                listener.checkStop();
                if (!group.scaled()) {
                    continue;
                }
                NDArray x = inputs.get(group.precededBy());
                AwqScaleSearch.Result search = AwqScaleSearch.search(AwqScaleSearch.activationScale(x), settings.scaleGrid(),
                        objective(block, group, x, outputs.get(group.precededBy()), original, sequences, seqLen));
                for (LinearSpec linear : group.linears()) {
                    inputScales.put(linear.name(), search.scales());
                    alphas.put(linear.name(), search.alpha());
                }
                group.previous().ifPresent(previous -> outputScales.put(previous.name(),
                        rowScales(previous.outFeatures(), search.scales())));
            }
            // 2. apply them in group order: W_v ends as (W_v * s_qkv) / s_o, as apply_scale leaves it
            Map<String, float[]> scaled = new LinkedHashMap<>(original);
            for (AwqGroups.Group group : groups) {
                if (!group.scaled()) {
                    continue;
                }
                float[] s = inputScales.get(group.linears().get(0).name());
                for (LinearSpec linear : group.linears()) {
                    scaled.put(linear.name(), AwqScaleSearch.scaleColumns(scaled.get(linear.name()), linear.outFeatures(),
                            linear.inFeatures(), s));
                }
                LinearSpec previous = group.previous().orElse(null);
                if (previous != null) {
                    scaled.put(previous.name(), divideRows(scaled.get(previous.name()), previous, outputScales.get(previous.name())));
                }
            }
            double searchSeconds = (System.nanoTime() - start) / 1e9 / model.linears().size();
            // 3. clip and quantize each linear; its error on its own (unscaled) inputs
            List<LayerResult> results = new ArrayList<>();
            for (AwqGroups.Group group : groups) {
                NDArray x = inputs.get(group.precededBy());
                for (LinearSpec linear : group.linears()) {
                    listener.checkStop();
                    long linearStart = System.nanoTime();
                    int rows = linear.outFeatures();
                    int columns = linear.inFeatures();
                    AwqLayer layer = AwqLinear.clipAndQuantize(scaled.get(linear.name()), rows, columns, x,
                            inputScales.getOrDefault(linear.name(), AwqLayer.ones(columns)),
                            outputScales.getOrDefault(linear.name(), AwqLayer.ones(rows)),
                            alphas.getOrDefault(linear.name(), Double.NaN), settings,
                            settings.clipSearch() && AwqGroups.clipped(linear)).layer();
                    layer = layer.withError(outputs.get(group.precededBy()).relative(original.get(linear.name()), layer.weight(),
                            rows, columns));
                    model.setLinearWeight(block, linear.name(), layer.weight());
                    LayerResult result = new LayerResult(block, linear.name(), layer,
                            searchSeconds + (System.nanoTime() - linearStart) / 1e9);
                    listener.layerDone(result, model.numLayers());
                    results.add(result);
                }
            }
            results.sort(java.util.Comparator.comparingInt(r -> model.linearNames().indexOf(r.linear())));
            next.attach(hidden.getManager());
            return new Output(results, next);
        }
    }

    /**
     * The loss of a candidate s: a norm's group by the output of the sublayer it feeds, with the group's linears
     * replaced by {@code Q(W s) / s} (the other linears original); a linear's group by its own outputs.
     */
    private AwqScaleSearch.Objective objective(int block, AwqGroups.Group group, NDArray x, LinearOutputError output,
            Map<String, float[]> original, long sequences, long seqLen) {
        if (group.inspected().isEmpty()) {
            return s -> {
                double sum = 0;
                long outputs = 0;
                for (LinearSpec linear : group.linears()) {
                    float[] w = original.get(linear.name());
                    float[] candidate = AwqScaleSearch.scaledQuantized(w, linear.outFeatures(), linear.inFeatures(), s,
                            settings.bits(), settings.groupSize());
                    sum += output.meanSquared(w, candidate, linear.outFeatures(), linear.inFeatures())
                            * output.tokens() * linear.outFeatures();
                    outputs += output.tokens() * linear.outFeatures();
                }
                return sum / outputs;
            };
        }
        Sublayer sublayer = group.inspected().get();
        NDArray input = x.reshape(sequences, seqLen, x.getShape().get(1));
        NDArray reference = sublayerOutput(block, sublayer, input, Map.of());
        return s -> {
            try (NDManager scope = x.getManager().newSubManager()) {
                Map<String, NDArray> replaced = new HashMap<>();
                for (LinearSpec linear : group.linears()) {
                    float[] candidate = AwqScaleSearch.scaledQuantized(original.get(linear.name()), linear.outFeatures(),
                            linear.inFeatures(), s, settings.bits(), settings.groupSize());
                    replaced.put(linear.name(), OwnedArrays.of(scope, candidate,
                            new Shape(linear.outFeatures(), linear.inFeatures())));
                }
                NDArray out = sublayerOutput(block, sublayer, input, replaced);
                out.attach(scope);
                // (org_out - out).float().pow(2).mean()
                return out.sub(reference).square().mean().getFloat();
            }
        };
    }

    /** The sublayer over all sequences, {@code batchSequences} at a time; the result has the input's manager. */
    private NDArray sublayerOutput(int block, Sublayer sublayer, NDArray input, Map<String, NDArray> replaced) {
        long n = input.getShape().get(0);
        if (batchSequences >= n) {
            return model.sublayer(block, sublayer, input, replaced);
        }
        NDManager caller = input.getManager();
        try (NDManager scope = caller.newSubManager()) {
            NDList outputs = new NDList();
            for (long from = 0; from < n; from += batchSequences) {
                NDArray slice = input.get("{}:{}", from, Math.min(n, from + batchSequences));
                slice.attach(scope);
                outputs.add(model.sublayer(block, sublayer, slice, replaced));
            }
            NDArray out = NDArrays.concat(outputs, 0);
            out.attach(caller);
            return out;
        }
    }

    /** A previous linear's row divisors: 1, and s on the last {@code s.length} rows (v of qkv, up of gate_up). */
    private static float[] rowScales(int rows, float[] s) {
        float[] out = AwqLayer.ones(rows);
        System.arraycopy(s, 0, out, rows - s.length, s.length);
        return out;
    }

    /** scale_fc_fc: {@code fc1.weight[-n:] /= s} (a new array). */
    private static float[] divideRows(float[] w, LinearSpec linear, float[] rowScales) {
        int columns = linear.inFeatures();
        float[] out = w.clone();
        for (int r = 0; r < linear.outFeatures(); r++) {
            if (rowScales[r] != 1f) {
                for (int c = 0; c < columns; c++) {
                    out[r * columns + c] = w[r * columns + c] / rowScales[r];
                }
            }
        }
        return out;
    }
}
