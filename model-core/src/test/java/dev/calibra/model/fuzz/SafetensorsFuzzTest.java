package dev.calibra.model.fuzz;

// Feeds SafetensorsFile.open mutated files: byte mutations of a small valid file with every dtype,
// header-JSON mutations of that file and of stories260K's real header (wrong dtypes, negative, huge,
// fractional and overlapping offsets, bad shapes, deep nesting) with the length prefix kept right, and
// length prefixes that lie. Asserts: the file opens and every tensor reads back with its declared size,
// or SafetensorsFormatException naming the file; nothing else, no hang, no allocation beyond the input.

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.calibra.model.TestData;
import dev.calibra.model.safetensors.Dtype;
import dev.calibra.model.safetensors.SafetensorsFile;
import dev.calibra.model.safetensors.SafetensorsFormatException;
import dev.calibra.model.safetensors.SafetensorsWriter;
import dev.calibra.model.safetensors.TensorInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFuzzTest {

    private static final String FILE_NAME = "fuzz.safetensors";
    private static final List<String> NAMES = List.of("dtype", "shape", "data_offsets", "__metadata__", "F32", "F16",
            "BF16", "F64", "I64", "I32", "I8", "U8", "BOOL", "F8_E4M3", "f32", "w", "ids");

    @TempDir
    static Path dir;
    private static byte[] small;
    private static byte[] stories;

    @BeforeAll
    static void seeds() throws IOException {
        // load the PyTorch engine now: its first start takes seconds and would read as a hang
        try (NDManager manager = NDManager.newBaseManager()) {
            manager.zeros(new ai.djl.ndarray.types.Shape(1)).close();
        }
        Path path = dir.resolve("seed.safetensors");
        ByteBuffer i64 = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).putLong(-3).flip();
        new SafetensorsWriter().metadata("format", "pt")
                .addF32("w", new long[] {2, 3}, new float[] {1.5f, -2f, 0f, 3f, 1e-3f, -7f})
                .addHalf("h", Dtype.F16, new long[] {4}, new float[] {1f, -0.5f, 65504f, 0f})
                .addHalf("b", Dtype.BF16, new long[] {2, 2}, new float[] {1f, 2f, -3f, 1e30f})
                .add("d", Dtype.F64, new long[] {1}, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(0, 2.5))
                .add("l", Dtype.I64, new long[] {2}, i64)
                .addI32("ids", new long[] {3}, new int[] {7, -1, 511})
                .add("empty", Dtype.I8, new long[] {0, 5}, ByteBuffer.allocate(0))
                .add("scalar", Dtype.U8, new long[] {}, ByteBuffer.wrap(new byte[] {(byte) 200}))
                .write(path);
        small = Files.readAllBytes(path);
        stories = Files.readAllBytes(TestData.stories260K().resolve("model.safetensors"));
    }

    @Test
    void open_mutatedFiles_parseOrRefuseNamingTheFile() throws IOException {
        Mutator bytes = new Mutator(List.of(small), NAMES, 64 << 10);
        Mutator headerBytes = new Mutator(List.of(header(small), header(stories)), NAMES, 1 << 20);
        JsonMutator json = new JsonMutator(NAMES);
        JsonNode smallHeader = new ObjectMapper().readTree(header(small));
        JsonNode storiesHeader = new ObjectMapper().readTree(header(stories));
        Path file = dir.resolve(FILE_NAME);

        Fuzzer.Generator generator = random -> switch (random.nextInt(16)) {
            case 0, 1, 2, 3, 4, 5 -> bytes.next(random);
            case 6, 7, 8, 9, 10 -> withHeader(small, json.mutateToBytes(smallHeader, random));
            case 11, 12 -> withHeader(small, headerBytes.mutate(header(small), random));
            // the real header with the real 1 MB of data behind it (rarely: writing it is slow)
            case 13 -> random.nextBoolean() ? withHeader(stories, json.mutateToBytes(storiesHeader, random))
                    : withHeader(stories, headerBytes.mutate(header(stories), random));
            default -> lyingPrefix(small, random);
        };
        Fuzzer.Report report = new Fuzzer("safetensors", Fuzzer.Settings.fromSystemProperties(2000)).run(generator,
                input -> {
                    Files.write(file, input);
                    readEverything(file, input.length);
                },
                error -> error instanceof SafetensorsFormatException && Fuzzer.names(error, FILE_NAME));
        report.assertNoFailures();
    }

    /** Regression: the reference reader takes only integers; 0.5 used to be read as 0 without a word. */
    @Test
    void open_fractionalOffsetOrDimension_isRefused() throws IOException {
        Path file = dir.resolve(FILE_NAME);
        Files.write(file, assemble("{\"w\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0.5,2.9]}}"
                .getBytes(StandardCharsets.UTF_8), new byte[2]));
        assertTrue(assertThrows(SafetensorsFormatException.class, () -> readEverything(file, 0)).getMessage()
                .contains("data_offsets"));
        Files.write(file, assemble("{\"w\":{\"dtype\":\"U8\",\"shape\":[2.5],\"data_offsets\":[0,2]}}"
                .getBytes(StandardCharsets.UTF_8), new byte[2]));
        assertTrue(assertThrows(SafetensorsFormatException.class, () -> readEverything(file, 0)).getMessage()
                .contains("dimension 0"));
    }

    /**
     * Regression, found by this fuzzer: an empty tensor of shape [0, 5, 2^63-1] passed (0 elements), then
     * libtorch failed with "Stride calculation overflowed" when it was loaded.
     */
    @Test
    void open_emptyTensorWithHugeDimensions_isRefused() throws IOException {
        Path file = dir.resolve(FILE_NAME);
        Files.write(file, assemble(("{\"e\":{\"dtype\":\"I8\",\"shape\":[0,5," + Long.MAX_VALUE
                + "],\"data_offsets\":[0,0]}}").getBytes(StandardCharsets.UTF_8), new byte[0]));
        assertTrue(assertThrows(SafetensorsFormatException.class, () -> readEverything(file, 0)).getMessage()
                .contains("too large"));
    }

    /** Opens the file and reads every tensor as floats and as an NDArray, checking sizes against the file. */
    private static void readEverything(Path file, long fileBytes) throws IOException {
        try (SafetensorsFile safetensors = SafetensorsFile.open(file); NDManager manager = NDManager.newBaseManager()) {
            for (String name : safetensors.tensorNames()) {
                TensorInfo info = safetensors.info(name);
                if (fileBytes > 0 && (info.fileOffset() < 8 || info.fileOffset() + info.byteCount() > fileBytes)) {
                    throw new AssertionError(info + " lies outside a file of " + fileBytes + " bytes");
                }
                float[] values = safetensors.readFloats(name);
                if (values.length != info.elementCount()) {
                    throw new AssertionError(info + " read " + values.length + " values");
                }
                try (NDArray array = safetensors.load(name, manager)) {
                    if (array.size() != info.elementCount()) {
                        throw new AssertionError(info + " loaded " + array.size() + " values");
                    }
                }
            }
        }
    }

    /** The header JSON of a file (the bytes after the 8-byte length). */
    private static byte[] header(byte[] file) {
        long length = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        return Arrays.copyOfRange(file, 8, 8 + (int) length);
    }

    /** The file with its header replaced and the length prefix set to match; the data section is kept. */
    private static byte[] withHeader(byte[] file, byte[] header) {
        long oldLength = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        return assemble(header, Arrays.copyOfRange(file, 8 + (int) oldLength, file.length));
    }

    private static byte[] assemble(byte[] header, byte[] data) {
        return ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(header.length).put(header).put(data).array();
    }

    /** A valid file whose length prefix says something else: off by a little, or absurd. */
    private static byte[] lyingPrefix(byte[] file, SplittableRandom random) {
        long truth = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        long[] lies = {truth - 1, truth + 1, truth + 8, file.length - 8, file.length - 7, 0, 1, 2, -1, -truth,
                100L << 20, (100L << 20) + 1, Integer.MAX_VALUE, 1L << 32, Long.MAX_VALUE, Long.MIN_VALUE};
        byte[] out = file.clone();
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putLong(0, lies[random.nextInt(lies.length)]);
        return random.nextBoolean() ? out : Arrays.copyOf(out, random.nextInt(out.length + 1));
    }
}
