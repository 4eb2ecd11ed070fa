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

    private SpqrFile() {}

    public static void add(SafetensorsWriter writer, String module, SpqrLinear linear) {
        int groups = linear.groups();
        int rowGroups = linear.rowGroups();
        String p = module + ".spqr.";
        writer.add(p + "codes", Dtype.U8, new long[] {linear.rows(), linear.columns()}, ByteBuffer.wrap(linear.codes()));
        writer.addI32(p + "perm", new long[] {linear.columns()}, linear.perm());
        writer.add(p + "scale_codes", Dtype.U8, new long[] {groups, linear.rows()}, ByteBuffer.wrap(linear.scaleCodes()));
        writer.add(p + "zero_codes", Dtype.U8, new long[] {groups, linear.rows()}, ByteBuffer.wrap(linear.zeroCodes()));
        writer.addF32(p + "scale_qq", new long[] {groups, rowGroups, 2}, linear.scaleQq());
        writer.addF32(p + "zero_qq", new long[] {groups, rowGroups, 2}, linear.zeroQq());
        writer.addI32(p + "outlier_rows", new long[] {linear.rows() + 1}, linear.rowPointers());
        writer.addI32(p + "outlier_cols", new long[] {linear.outliers()}, linear.outlierColumns());
        writer.addF32(p + "outlier_vals", new long[] {linear.outliers()}, linear.outlierValues());
        writer.metadata(p + "bits", Integer.toString(linear.bits()));
        writer.metadata(p + "group_size", Integer.toString(linear.groupSize()));
        writer.metadata(p + "qq_group_size", Integer.toString(linear.qqGroupSize()));
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
