package dev.calibra.compression.output;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.calibra.compression.driver.LayerResult;
import dev.calibra.compression.method.AwqLayer;
import dev.calibra.compression.method.CompressedLayer;
import dev.calibra.compression.method.QuantizedLayer;
import dev.calibra.compression.spec.AwqSpec;
import dev.calibra.compression.spec.GridQuantization;
import dev.calibra.model.compressedtensors.CompressedTensorsConfig;
import dev.calibra.model.compressedtensors.CompressedTensorsLinear;
import dev.calibra.model.decoder.DecoderSpec;
import dev.calibra.model.safetensors.Dtype;
import dev.calibra.model.safetensors.HalfFloats;
import dev.calibra.model.safetensors.SafetensorsWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * compressed-tensors' pack-quantized layout for grid-quantized linears (gptq, rtn) and AWQ's: levels and zero points
 * shifted to the signed range (level - 2^(b-1)), scales as {@code [out, groups]} in the base weights' float dtype (as
 * llm-compressor stores them; float32 for a float32 base), a {@code weight_g_idx} only for act-order in groups. Its
 * layout holds any shape, so every linear is packed; AWQ's folder is in AWQ's scaled coordinates, its scales folded
 * into the norms and previous linears as in AutoAWQ's layout ({@link AwqPacking}).
 */
final class CompressedTensorsPacking implements Packing {

    private final GridQuantization grid;
    private final AwqPacking awq;
    private final Set<String> packed;
    private final Dtype scaleDtype;

    /** Packs every linear of {@code decoder}'s blocks, with scales in {@code baseDtype} when it is 16-bit. */
    CompressedTensorsPacking(GridQuantization grid, Dtype baseDtype, DecoderSpec decoder) {
        this(grid, null, baseDtype, decoder);
    }

    /** AWQ results, whose scales {@code folding} folds into the norms. */
    CompressedTensorsPacking(AwqSpec spec, AwqPacking folding, Dtype baseDtype, DecoderSpec decoder) {
        this(awqGrid(spec), folding, baseDtype, decoder);
    }

    private CompressedTensorsPacking(GridQuantization grid, AwqPacking awq, Dtype baseDtype, DecoderSpec decoder) {
        CompressedTensorsConfig.requireBits(grid.bits());
        this.grid = grid;
        this.awq = awq;
        this.packed = new LinkedHashSet<>();
        decoder.linears().forEach(linear -> packed.add(linear.name()));
        this.scaleDtype = baseDtype == Dtype.BF16 || baseDtype == Dtype.F16 ? baseDtype : Dtype.F32;
    }

    /** AWQ's grid: asymmetric (zero points), in its groups, no act-order. */
    private static GridQuantization awqGrid(AwqSpec spec) {
        return new GridQuantization() {
            @Override
            public int bits() {
                return spec.settings().bits();
            }

            @Override
            public int groupSize() {
                return spec.settings().groupSize();
            }

            @Override
            public boolean symmetric() {
                return false;
            }

            @Override
            public boolean actOrder() {
                return false;
            }
        };
    }

    /** The grid the folder's config describes. */
    GridQuantization grid() {
        return grid;
    }

    @Override
    public Set<String> packed() {
        return packed;
    }

    private boolean groupIndex() {
        return grid.actOrder() && grid.groupSize() > 0;
    }

    @Override
    public void addPacked(SafetensorsWriter tensors, String module, LayerResult result, ReleasedLayers layers) {
        CompressedLayer shape = result.layer();
        int uses = 2 + (grid.symmetric() ? 0 : 1) + (groupIndex() ? 1 : 0);
        Supplier<CompressedTensorsLinear> linear = new MadeOnce<>(uses, () -> awq != null ? pack((AwqLayer) layers.of(result))
                : pack((QuantizedLayer) layers.of(result)));
        int out = shape.rows();
        int in = shape.columns();
        int groups = shape instanceof AwqLayer a ? a.groups() : ((QuantizedLayer) shape).groups();
        tensors.add(module + ".weight_packed", Dtype.I32, new long[] {out, CompressedTensorsLinear.words(in, grid.bits())},
                () -> SafetensorsWriter.littleEndian(linear.get().packed()));
        tensors.add(module + ".weight_scale", scaleDtype, new long[] {out, groups},
                () -> OutputDtype.bytes(module + ".weight_scale", linear.get().scales(), scaleDtype));
        ByteBuffer dims = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(out).putLong(in).flip();
        tensors.add(module + ".weight_shape", Dtype.I64, new long[] {2}, dims);
        if (!grid.symmetric()) {
            tensors.add(module + ".weight_zero_point", Dtype.I32,
                    new long[] {CompressedTensorsLinear.words(out, grid.bits()), groups},
                    () -> SafetensorsWriter.littleEndian(linear.get().zeroPoints()));
        }
        if (groupIndex()) {
            tensors.add(module + ".weight_g_idx", Dtype.I32, new long[] {in},
                    () -> SafetensorsWriter.littleEndian(linear.get().gIdx()));
        }
    }

    private CompressedTensorsLinear pack(QuantizedLayer q) {
        int rows = q.rows();
        int groups = q.groups();
        int bias = 1 << (q.bits() - 1);
        float[] scales = new float[rows * groups];
        int[] zeros = grid.symmetric() ? null : new int[rows * groups];
        for (int g = 0; g < groups; g++) {
            for (int r = 0; r < rows; r++) {
                int p = g * rows + r;                          // [groups, rows] -> [rows, groups]
                scales[r * groups + g] = HalfFloats.roundTo(scaleDtype, q.scales()[p]);
                int zero = Math.round(q.zeros()[p]);
                if (grid.symmetric() && zero != bias) {
                    throw new IllegalStateException("a symmetric grid's zero point is " + q.zeros()[p] + ", not " + bias);
                }
                if (zeros != null) {
                    zeros[r * groups + g] = zero - bias;
                }
            }
        }
        // the levels GPTQ's packer takes, shifted to compressed-tensors' signed range
        int[] levels = q.levels();
        for (int k = 0; k < levels.length; k++) {
            levels[k] -= bias;
        }
        return CompressedTensorsLinear.pack(q.bits(), rows, q.columns(), grid.groupSize(), levels, zeros, scales, scaleDtype,
                groupIndex() ? q.groupIndex() : null);
    }

    /** AWQ's codes, zeros and scales are already {@code [rows, ...]} row-major: shift and round them. */
    private CompressedTensorsLinear pack(AwqLayer q) {
        int bias = 1 << (q.bits() - 1);
        int[] levels = new int[q.rows() * q.columns()];
        for (int k = 0; k < levels.length; k++) {
            levels[k] = (q.codes()[k] & 0xff) - bias;
        }
        int[] zeros = new int[q.zeros().length];
        float[] scales = new float[q.scales().length];
        for (int k = 0; k < zeros.length; k++) {
            zeros[k] = Math.round(q.zeros()[k]) - bias;
            scales[k] = HalfFloats.roundTo(scaleDtype, q.scales()[k]);
        }
        return CompressedTensorsLinear.pack(q.bits(), q.rows(), q.columns(), grid.groupSize(), levels, zeros, scales, scaleDtype,
                null);
    }

    @Override
    public float[] replaced(String tensor) throws java.io.IOException {
        return awq == null ? null : awq.replaced(tensor);
    }

    @Override
    public void writeConfig(ObjectNode config, Path folder, List<String> packedModules, List<String> denseModules,
            String blocksPrefix) {
        new CompressedTensorsConfig(grid.bits(), grid.symmetric(), grid.groupSize(), groupIndex(), List.of("lm_head"))
                .writeTo(config);
    }

    @Override
    public String dtype() {
        return "compressed-tensors-int" + grid.bits();
    }
}
