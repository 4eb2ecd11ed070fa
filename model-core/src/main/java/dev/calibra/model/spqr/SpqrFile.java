package dev.calibra.model.spqr;

import dev.calibra.model.ModelFormatException;
import dev.calibra.model.safetensors.Dtype;
import dev.calibra.model.safetensors.SafetensorsFile;
import dev.calibra.model.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;

/**
 * SpQR's compact representation as Calibra stores it beside the dense model: one safetensors file
 * ({@value #FILE} in the model folder's {@value #FOLDER}/ subfolder, so model loaders do not take it for a shard)
 * with, for each compressed linear {@code M} (its weight's name without ".weight"):
 * <pre>
 *   M.spqr.codes        U8  [rows, columns]        levels, permuted column order
 *   M.spqr.perm         I32 [columns]              quantization order of the columns
 *   M.spqr.scale_codes  U8  [groups, rows]         second-level codes of the per-row group scales
 *   M.spqr.zero_codes   U8  [groups, rows]         second-level codes of the per-row zero points
 *   M.spqr.scale_qq     F32 [groups, row_groups, 2] second-level (scale, zero) of the scales
 *   M.spqr.zero_qq      F32 [groups, row_groups, 2] second-level (scale, zero) of the zeros
 *   M.spqr.outlier_rows I32 [rows + 1]             CSR row pointers of the outliers
 *   M.spqr.outlier_cols I32 [nnz]                  outlier columns, original order
 *   M.spqr.outlier_vals F32 [nnz]                  outlier values
 * </pre>
 * and the metadata {@code bits}, {@code group_size}, {@code qq_group_size} per linear as {@code M.spqr.*}. See
 * {@link SpqrLinear#dequantize} for how they become weights.
 */
public final class SpqrFile {

    public static final String FOLDER = "spqr";
    public static final String FILE = "model.spqr.safetensors";
    /** Tensors per linear. */
    public static final int TENSORS = 9;

    private SpqrFile() {}

    /** What the tensors' shapes depend on, known before the compact form itself. */
    public record Layout(int rows, int columns, int bits, int groupSize, int qqGroupSize, int outliers) {

        public static Layout of(SpqrLinear linear) {
            return new Layout(linear.rows(), linear.columns(), linear.bits(), linear.groupSize(), linear.qqGroupSize(),
                    linear.outliers());
        }

        int groups() {
            return (columns + groupSize - 1) / groupSize;
        }

        int rowGroups() {
            return (rows + qqGroupSize - 1) / qqGroupSize;
        }
    }

    public static void add(SafetensorsWriter writer, String module, SpqrLinear linear) {
        add(writer, module, Layout.of(linear), () -> linear);
    }

    /**
     * Adds one linear's tensors, made while the file is written: {@code linear} is asked once per tensor, {@link
     * #TENSORS} times (the tensors of a module are adjacent in name order, so a caller can keep the one it made).
     */
    public static void add(SafetensorsWriter writer, String module, Layout layout, Supplier<SpqrLinear> linear) {
        int groups = layout.groups();
        int rowGroups = layout.rowGroups();
        int rows = layout.rows();
        String p = module + ".spqr.";
        writer.add(p + "codes", Dtype.U8, new long[] {rows, layout.columns()}, () -> ByteBuffer.wrap(linear.get().codes()));
        writer.add(p + "perm", Dtype.I32, new long[] {layout.columns()}, () -> SafetensorsWriter.littleEndian(linear.get().perm()));
        writer.add(p + "scale_codes", Dtype.U8, new long[] {groups, rows}, () -> ByteBuffer.wrap(linear.get().scaleCodes()));
        writer.add(p + "zero_codes", Dtype.U8, new long[] {groups, rows}, () -> ByteBuffer.wrap(linear.get().zeroCodes()));
        writer.add(p + "scale_qq", Dtype.F32, new long[] {groups, rowGroups, 2},
                () -> SafetensorsWriter.littleEndian(linear.get().scaleQq()));
        writer.add(p + "zero_qq", Dtype.F32, new long[] {groups, rowGroups, 2},
                () -> SafetensorsWriter.littleEndian(linear.get().zeroQq()));
        writer.add(p + "outlier_rows", Dtype.I32, new long[] {rows + 1},
                () -> SafetensorsWriter.littleEndian(linear.get().rowPointers()));
        writer.add(p + "outlier_cols", Dtype.I32, new long[] {layout.outliers()},
                () -> SafetensorsWriter.littleEndian(linear.get().outlierColumns()));
        writer.add(p + "outlier_vals", Dtype.F32, new long[] {layout.outliers()},
                () -> SafetensorsWriter.littleEndian(linear.get().outlierValues()));
        writer.metadata(p + "bits", Integer.toString(layout.bits()));
        writer.metadata(p + "group_size", Integer.toString(layout.groupSize()));
        writer.metadata(p + "qq_group_size", Integer.toString(layout.qqGroupSize()));
    }

    /** The linear {@code module} of an open compact file. */
    public static SpqrLinear read(SafetensorsFile file, String module) throws IOException {
        String p = module + ".spqr.";
        Map<String, String> metadata = file.metadata();
        if (!file.contains(p + "codes") || !metadata.containsKey(p + "bits")) {
            throw new ModelFormatException(file.path() + " has no SpQR linear '" + module + "'");
        }
        long[] shape = file.info(p + "codes").shape();
        return new SpqrLinear((int) shape[0], (int) shape[1], Integer.parseInt(metadata.get(p + "bits")),
                Integer.parseInt(metadata.get(p + "group_size")), Integer.parseInt(metadata.get(p + "qq_group_size")),
                ints(file, p + "perm"), bytes(file, p + "codes"), bytes(file, p + "scale_codes"), bytes(file, p + "zero_codes"),
                file.readFloats(p + "scale_qq"), file.readFloats(p + "zero_qq"), ints(file, p + "outlier_rows"),
                ints(file, p + "outlier_cols"), file.readFloats(p + "outlier_vals"));
    }

    public static Path path(Path modelFolder) {
        return modelFolder.resolve(FOLDER).resolve(FILE);
    }

    private static byte[] bytes(SafetensorsFile file, String name) throws IOException {
        ByteBuffer raw = file.rawBytes(name);
        byte[] out = new byte[raw.remaining()];
        raw.get(out);
        return out;
    }

    private static int[] ints(SafetensorsFile file, String name) throws IOException {
        ByteBuffer raw = file.rawBytes(name).order(ByteOrder.LITTLE_ENDIAN);
        int[] out = new int[raw.remaining() / Integer.BYTES];
        raw.asIntBuffer().get(out);
        return out;
    }
}
