package dev.calibra.compression.service;

import dev.calibra.model.safetensors.Dtype;
import dev.calibra.model.safetensors.SafetensorsFile;
import dev.calibra.model.safetensors.TensorInfo;
import dev.calibra.rpc.CalibraException;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.file.Path;

/** Reads a calibration set artifact: {@code input_ids} int32 {@code [n_samples, seq_len]}. */
final class CalibrationSamples {

    private CalibrationSamples() {}

    static int[][] read(Path file, int vocabSize) throws IOException {
        try (SafetensorsFile tensors = SafetensorsFile.open(file)) {
            if (!tensors.contains("input_ids")) {
                throw CalibraException.invalidArgument("calibration set " + file + " has no tensor 'input_ids'");
            }
            TensorInfo info = tensors.info("input_ids");
            long[] shape = info.shape();
            if (info.dtype() != Dtype.I32 || shape.length != 2 || shape[0] < 1 || shape[1] < 2) {
                throw CalibraException.invalidArgument("calibration set " + file + ": input_ids must be int32 "
                        + "[n_samples, seq_len >= 2], got " + info.dtype() + " " + java.util.Arrays.toString(shape));
            }
            IntBuffer ids = tensors.rawBytes("input_ids").order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
            int[][] samples = new int[(int) shape[0]][(int) shape[1]];
            for (int i = 0; i < samples.length; i++) {
                ids.get(samples[i]);
                for (int t = 0; t < samples[i].length; t++) {
                    if (samples[i][t] < 0 || samples[i][t] >= vocabSize) {
                        throw CalibraException.invalidArgument("calibration set " + file + ": input_ids[" + i + ", " + t
                                + "] = " + samples[i][t] + " is outside the model's vocabulary 0.." + (vocabSize - 1));
                    }
                }
            }
            return samples;
        }
    }
}
