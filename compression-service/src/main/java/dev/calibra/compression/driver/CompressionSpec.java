package dev.calibra.compression.driver;

import dev.calibra.compression.method.GptqCompressor;
import dev.calibra.compression.method.GptqSettings;
import dev.calibra.compression.method.LayerCompressor;
import dev.calibra.compression.method.MagnitudePruner;
import dev.calibra.compression.method.MagnitudeSettings;
import dev.calibra.compression.method.RtnQuantizer;
import dev.calibra.compression.method.RtnSettings;
import dev.calibra.compression.method.SparseGptCompressor;
import dev.calibra.compression.method.SparseGptSettings;
import dev.calibra.compression.method.SparsityPattern;
import dev.calibra.compression.method.WandaPruner;
import dev.calibra.compression.method.WandaSettings;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One compression request's method and every parameter, validated (defaults of the reference gptq.py /
 * sparsegpt.py: per channel, asymmetric, dampening 0.01, block 128, no act-order).
 *
 * @param bits             2, 3, 4 or 8 (quantization)
 * @param groupSize        input columns per quantization group, -1 per channel
 * @param pattern          pruning pattern (null for quantization)
 * @param batchSequences   calibration sequences per block forward
 */
public record CompressionSpec(Method method, int bits, int groupSize, boolean symmetric, boolean actOrder,
        double dampening, int blockSize, SparsityPattern pattern, boolean trueSequential, int batchSequences) {

    public CompressionSpec {
        if (method.isQuantization()) {
            new GptqSettings(bits, groupSize, symmetric, actOrder, dampening, blockSize);   // validates
            if (pattern != null) {
                throw new IllegalArgumentException("sparsity: " + method.wireName() + " quantizes; sparsity and pattern apply to pruning methods");
            }
        } else if (pattern == null) {
            throw new IllegalArgumentException("sparsity: " + method.wireName() + " needs a sparsity in (0, 1) or an N:M pattern");
        } else if (method == Method.SPARSEGPT) {
            new SparseGptSettings(pattern, dampening, blockSize);
        }
        if (batchSequences < 1) {
            throw new IllegalArgumentException("batch_size: must be >= 1, got " + batchSequences);
        }
    }

    /** GPTQ/RTN with the reference defaults and {@code bits}. */
    public static CompressionSpec quantization(Method method, int bits) {
        return new CompressionSpec(method, bits, -1, false, false, 0.01, 128, null, false, 8);
    }

    /** A pruning method with the reference defaults. */
    public static CompressionSpec pruning(Method method, SparsityPattern pattern) {
        return new CompressionSpec(method, 0, -1, false, false, 0.01, 128, pattern, false, 8);
    }

    public CompressionSpec withTrueSequential(boolean value) {
        return new CompressionSpec(method, bits, groupSize, symmetric, actOrder, dampening, blockSize, pattern, value,
                batchSequences);
    }

    /**
     * A fresh compressor for one linear. With {@code measureError} data-free methods also accumulate H
     * (and Wanda the full H) to report their reconstruction error.
     */
    public LayerCompressor newCompressor(boolean measureError) {
        return switch (method) {
            case MAGNITUDE -> new MagnitudePruner(new MagnitudeSettings(pattern, measureError));
            case WANDA -> new WandaPruner(new WandaSettings(pattern, measureError));
            case SPARSEGPT -> new SparseGptCompressor(new SparseGptSettings(pattern, dampening, blockSize));
            case RTN -> new RtnQuantizer(new RtnSettings(bits, groupSize, symmetric, measureError));
            case GPTQ -> new GptqCompressor(new GptqSettings(bits, groupSize, symmetric, actOrder, dampening, blockSize));
        };
    }

    /** Every parameter that shapes the result, as strings (the registry's lineage). */
    public Map<String, String> parameters() {
        Map<String, String> p = new LinkedHashMap<>();
        if (method.isQuantization()) {
            p.put("bits", Integer.toString(bits));
            p.put("group_size", Integer.toString(groupSize));
            p.put("sym", Boolean.toString(symmetric));
        }
        if (method == Method.GPTQ) {
            p.put("act_order", Boolean.toString(actOrder));
        }
        if (method == Method.GPTQ || method == Method.SPARSEGPT) {
            p.put("damp_percent", Double.toString(dampening));
            p.put("block_size", Integer.toString(blockSize));
        }
        if (pattern instanceof SparsityPattern.Unstructured u) {
            p.put("sparsity", Double.toString(u.sparsity()));
        } else if (pattern instanceof SparsityPattern.NOfM nm) {
            p.put("pattern", nm.n() + ":" + nm.m());
        }
        if (method.needsCalibration()) {
            p.put("true_sequential", Boolean.toString(trueSequential));
        }
        return p;
    }

    /** A short name part, e.g. "gptq-w4" or "wanda-50" or "sparsegpt-2of4". */
    public String shortName() {
        if (method.isQuantization()) {
            return method.wireName() + "-w" + bits + (groupSize > 0 ? "-g" + groupSize : "");
        }
        return method.wireName() + "-" + (pattern instanceof SparsityPattern.NOfM nm ? nm.n() + "of" + nm.m()
                : Long.toString(Math.round(pattern.targetSparsity() * 100)));
    }
}
