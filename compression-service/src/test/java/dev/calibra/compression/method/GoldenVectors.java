package dev.calibra.compression.method;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads the F32 tensors of a safetensors file (8-byte little-endian header length, JSON header, data)
 * from the repository's testvectors/ (under {@code -Dcalibra.root}, set by the parent pom, else {@code ..}).
 * A deliberately tiny reader so these tests do not depend on the model-core safetensors package.
 */
final class GoldenVectors {

    private final Map<String, float[]> tensors = new HashMap<>();
    private final Map<String, long[]> shapes = new HashMap<>();

    private GoldenVectors() {
    }

    /** The repository root, which holds testvectors/. */
    static Path repositoryRoot() {
        return Path.of(System.getProperty("calibra.root", ".."));
    }

    static GoldenVectors read(Path file) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = (int) bytes.getLong(0);
        JsonNode header = new ObjectMapper().readTree(new String(bytes.array(), 8, headerLength,
                java.nio.charset.StandardCharsets.UTF_8));
        GoldenVectors vectors = new GoldenVectors();
        header.properties().forEach(entry -> {
            if (entry.getKey().equals("__metadata__")) {
                return;
            }
            JsonNode info = entry.getValue();
            if (!info.get("dtype").asText().equals("F32")) {
                throw new IllegalArgumentException(entry.getKey() + ": only F32 is supported");
            }
            long begin = info.get("data_offsets").get(0).asLong();
            long end = info.get("data_offsets").get(1).asLong();
            float[] values = new float[(int) ((end - begin) / 4)];
            bytes.slice(8 + headerLength + (int) begin, (int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN)
                    .asFloatBuffer().get(values);
            long[] shape = new long[info.get("shape").size()];
            for (int k = 0; k < shape.length; k++) {
                shape[k] = info.get("shape").get(k).asLong();
            }
            vectors.tensors.put(entry.getKey(), values);
            vectors.shapes.put(entry.getKey(), shape);
        });
        return vectors;
    }

    float[] tensor(String name) {
        float[] values = tensors.get(name);
        if (values == null) {
            throw new IllegalArgumentException("no tensor " + name);
        }
        return values.clone();
    }

    long[] shape(String name) {
        return shapes.get(name).clone();
    }
}
