package dev.calibra.model.safetensors;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every way a safetensors file can lie is refused with a message naming the tensor and byte offset. */
class SafetensorsFileMalformedTest {

    @TempDir
    Path dir;

    private Path file(long headerLength, byte[] header, byte[] data) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(headerLength).put(header).put(data);
        Path path = dir.resolve("bad.safetensors");
        Files.write(path, buffer.array());
        return path;
    }

    private Path file(String header, int dataBytes) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        return file(json.length, json, new byte[dataBytes]);
    }

    private String refusal(Path path) {
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> SafetensorsFile.open(path).close());
        return e.getMessage();
    }

    private static void assertMentions(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), () -> "'" + message + "' should mention '" + part + "'");
        }
    }

    @Test
    void open_fileShorterThanLengthPrefix_namesOffsetZero() throws IOException {
        Path path = dir.resolve("tiny.safetensors");
        Files.write(path, new byte[] {1, 2, 3});
        assertMentions(refusal(path), "3 bytes", "byte offset 0");
    }

    @Test
    void open_headerLengthPastEnd_namesOffset() throws IOException {
        byte[] json = "{}".getBytes(StandardCharsets.UTF_8);
        assertMentions(refusal(file(1000, json, new byte[0])), "header length 1000", "byte offset 0",
                "past the end of the file", "byte offset 1008");
    }

    @Test
    void open_hugeHeaderLength_refusedBeforeAllocating() throws IOException {
        byte[] json = "{}".getBytes(StandardCharsets.UTF_8);
        assertMentions(refusal(file(Long.MAX_VALUE, json, new byte[0])), "header length " + Long.MAX_VALUE,
                "byte offset 0");
        assertMentions(refusal(file(-1L, json, new byte[0])), "header length 18446744073709551615");
    }

    @Test
    void open_headerNotUtf8_namesByteOffset() throws IOException {
        byte[] json = {'{', '"', 'a', (byte) 0xFF, '"', ':', '1', '}'};
        assertMentions(refusal(file(json.length, json, new byte[0])), "not valid UTF-8", "byte offset 11");
    }

    @Test
    void open_headerNotJson_namesByteOffset() throws IOException {
        assertMentions(refusal(file("{\"a\": [1, 2", 0)), "not valid JSON", "byte offset");
    }

    @Test
    void open_headerJsonArray_saysNotAnObject() throws IOException {
        assertMentions(refusal(file("[1, 2, 3]", 0)), "not a JSON object", "byte offset 8");
    }

    @Test
    void open_unknownDtype_namesTensorAndDtype() throws IOException {
        assertMentions(refusal(file("{\"w\":{\"dtype\":\"Q4\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2)),
                "tensor 'w'", "'Q4'", "byte offset");
    }

    @Test
    void open_shapeByteCountMismatch_namesTensorAndOffset() throws IOException {
        String header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}";
        int dataStart = 8 + header.length();
        assertMentions(refusal(file(header, 20)), "tensor 'w'", "needs 24 bytes", "give 20 bytes",
                "byte offset " + dataStart);
    }

    @Test
    void open_offsetsPastDataSection_namesTensorAndOffset() throws IOException {
        String header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}";
        int dataStart = 8 + header.length();
        assertMentions(refusal(file(header, 16)), "tensor 'w'", "outside the data section",
                "byte offset " + (dataStart + 8));
    }

    @Test
    void open_offsetsReversed_namesTensor() throws IOException {
        assertMentions(refusal(file("{\"w\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[4,2]}}", 8)),
                "tensor 'w'", "data_offsets [4, 2]");
    }

    @Test
    void open_overlappingTensors_namesBothAndOffset() throws IOException {
        String header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        int dataStart = 8 + header.length();
        assertMentions(refusal(file(header, 12)), "tensor 'b'", "overlaps tensor 'a'", "byte offset " + (dataStart + 4));
    }

    @Test
    void open_negativeDimension_namesTensorAndDimension() throws IOException {
        assertMentions(refusal(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1,4],\"data_offsets\":[0,0]}}", 0)),
                "tensor 'w'", "dimension 0 is -1", "byte offset");
    }

    @Test
    void open_hugeDimensions_refusedWithoutOverflow() throws IOException {
        String header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,16]}}";
        assertMentions(refusal(file(header, 16)), "tensor 'w'", "too large", "byte offset");
    }

    @Test
    void open_missingDataOffsets_namesTensor() throws IOException {
        assertMentions(refusal(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4)), "tensor 'w'", "data_offsets");
    }

    @Test
    void open_duplicateTensorName_refused() throws IOException {
        String header = "{\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
                + "\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}";
        assertMentions(refusal(file(header, 2)), "not valid JSON", "'w'");
    }

    @Test
    void open_metadataNotStrings_refused() throws IOException {
        assertMentions(refusal(file("{\"__metadata__\":{\"n\":3}}", 0)), "__metadata__", "'n'", "not a string");
    }
}
