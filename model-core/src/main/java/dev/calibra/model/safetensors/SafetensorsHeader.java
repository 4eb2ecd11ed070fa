package dev.calibra.model.safetensors;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses and validates a safetensors header: {@code u64le n}, then n bytes of UTF-8 JSON mapping each
 * tensor name to {dtype, shape, data_offsets}, plus an optional {@code __metadata__} string map. Every
 * check that fails names the tensor and a byte offset in the file.
 */
public record SafetensorsHeader(Map<String, TensorInfo> tensors, Map<String, String> metadata, long dataStart) {

    /** Bytes of the little-endian header length that opens the file. */
    public static final int LENGTH_PREFIX_BYTES = 8;
    /** Largest header accepted, checked before anything is allocated (the reference reader uses 100 MB). */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    public SafetensorsHeader {
        tensors = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        metadata = Map.copyOf(metadata);
    }

    /** Checks the 8-byte header length against the file size; returns it. */
    public static long checkHeaderLength(long headerBytes, long fileBytes, String source)
            throws SafetensorsFormatException {
        if (fileBytes < LENGTH_PREFIX_BYTES) {
            throw new SafetensorsFormatException(source + ": file is " + fileBytes
                    + " bytes, too short for the 8-byte header length at byte offset 0");
        }
        if (headerBytes < 2 || headerBytes > MAX_HEADER_BYTES) {
            throw new SafetensorsFormatException(source + ": header length " + Long.toUnsignedString(headerBytes)
                    + " at byte offset 0 is outside 2.." + MAX_HEADER_BYTES + " bytes");
        }
        if (headerBytes > fileBytes - LENGTH_PREFIX_BYTES) {
            throw new SafetensorsFormatException(source + ": header length " + headerBytes
                    + " at byte offset 0 runs past the end of the file (header would end at byte offset "
                    + (LENGTH_PREFIX_BYTES + headerBytes) + ", file is " + fileBytes + " bytes)");
        }
        return headerBytes;
    }

    /** Parses header JSON bytes; {@code dataBytes} is the size of the data section that follows. */
    public static SafetensorsHeader parse(byte[] headerJson, long dataBytes, String source)
            throws SafetensorsFormatException {
        long dataStart = LENGTH_PREFIX_BYTES + (long) headerJson.length;
        JsonNode root = parseJson(decodeUtf8(headerJson, source), source);
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = root.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (field.getKey().equals("__metadata__")) {
                metadata.putAll(parseMetadata(field.getValue(), source));
            } else {
                TensorInfo info = parseTensor(field.getKey(), field.getValue(), dataStart, dataBytes, source);
                tensors.put(info.name(), info);
            }
        }
        checkNoOverlap(tensors.values(), source);
        return new SafetensorsHeader(tensors, metadata, dataStart);
    }

    private static String decodeUtf8(byte[] bytes, String source) throws SafetensorsFormatException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            CharBuffer out = decoder.decode(in);
            return out.toString();
        } catch (MalformedInputException e) {
            throw new SafetensorsFormatException(source + ": header is not valid UTF-8 at byte offset "
                    + (LENGTH_PREFIX_BYTES + in.position()), e);
        } catch (CharacterCodingException e) {
            throw new SafetensorsFormatException(source + ": header is not valid UTF-8 (header starts at byte offset "
                    + LENGTH_PREFIX_BYTES + ")", e);
        }
    }

    private static JsonNode parseJson(String text, String source) throws SafetensorsFormatException {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonParseException e) {
            long offset = LENGTH_PREFIX_BYTES + Math.max(0, e.getLocation().getCharOffset());
            throw new SafetensorsFormatException(source + ": header is not valid JSON near byte offset " + offset
                    + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new SafetensorsFormatException(source + ": header is not valid JSON (header starts at byte offset "
                    + LENGTH_PREFIX_BYTES + "): " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new SafetensorsFormatException(source + ": header at byte offset " + LENGTH_PREFIX_BYTES
                    + " is not a JSON object but " + (root == null ? "empty" : root.getNodeType()));
        }
        return root;
    }

    private static Map<String, String> parseMetadata(JsonNode node, String source) throws SafetensorsFormatException {
        if (!node.isObject()) {
            throw new SafetensorsFormatException(source + ": __metadata__ in the header at byte offset "
                    + LENGTH_PREFIX_BYTES + " is not an object of strings");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> entries = node.fields();
        while (entries.hasNext()) {
            Map.Entry<String, JsonNode> entry = entries.next();
            if (!entry.getValue().isTextual()) {
                throw new SafetensorsFormatException(source + ": __metadata__ value '" + entry.getKey()
                        + "' is not a string (header at byte offset " + LENGTH_PREFIX_BYTES + ")");
            }
            metadata.put(entry.getKey(), entry.getValue().asText());
        }
        return metadata;
    }

    private static TensorInfo parseTensor(String name, JsonNode node, long dataStart, long dataBytes, String source)
            throws SafetensorsFormatException {
        String where = source + ": tensor '" + name + "'";
        if (!node.isObject() || !node.path("dtype").isTextual() || !node.path("shape").isArray()
                || !node.path("data_offsets").isArray()) {
            throw new SafetensorsFormatException(where + " needs dtype, shape and data_offsets (header at byte offset "
                    + LENGTH_PREFIX_BYTES + ")");
        }
        Dtype dtype;
        try {
            dtype = Dtype.fromHeaderName(node.get("dtype").asText());
        } catch (IllegalArgumentException e) {
            throw new SafetensorsFormatException(where + ": " + e.getMessage() + " (header at byte offset "
                    + LENGTH_PREFIX_BYTES + ")", e);
        }
        JsonNode offsets = node.get("data_offsets");
        if (offsets.size() != 2 || !isLong(offsets.get(0)) || !isLong(offsets.get(1))) {
            throw new SafetensorsFormatException(where + ": data_offsets must be two integers, got " + offsets);
        }
        long begin = offsets.get(0).asLong();
        long end = offsets.get(1).asLong();
        if (begin < 0 || end < begin || end > dataBytes) {
            throw new SafetensorsFormatException(where + ": data_offsets [" + begin + ", " + end
                    + "] lie outside the data section (byte offsets " + dataStart + ".." + (dataStart + dataBytes)
                    + " of the file); tensor would start at byte offset " + (dataStart + begin));
        }
        long[] shape = parseShape(where, node.get("shape"), dataStart + begin);
        long elements = elementCount(where, shape, dtype, dataStart + begin);
        if (elements * dtype.bytes() != end - begin) {
            throw new SafetensorsFormatException(where + ": shape " + node.get("shape") + " of " + dtype + " needs "
                    + elements * dtype.bytes() + " bytes but data_offsets give " + (end - begin)
                    + " bytes at byte offset " + (dataStart + begin));
        }
        return new TensorInfo(name, dtype, shape, begin, end, dataStart + begin);
    }

    private static long[] parseShape(String where, JsonNode shapeNode, long fileOffset)
            throws SafetensorsFormatException {
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode dim = shapeNode.get(i);
            if (!isLong(dim) || dim.asLong() < 0) {
                throw new SafetensorsFormatException(where + ": dimension " + i + " is " + dim
                        + ", not a non-negative integer (tensor at byte offset " + fileOffset + ")");
            }
            shape[i] = dim.asLong();
        }
        return shape;
    }

    /** An integer JSON number that fits a long: 0.5 or 1e3 are refused, as the reference reader does. */
    private static boolean isLong(JsonNode node) {
        return node.isIntegralNumber() && node.canConvertToLong();
    }

    private static long elementCount(String where, long[] shape, Dtype dtype, long fileOffset)
            throws SafetensorsFormatException {
        try {
            long count = 1;
            // a zero dimension empties the tensor, but libtorch still multiplies the others into strides
            long strides = dtype.bytes();
            for (long dim : shape) {
                count = Math.multiplyExact(count, dim);
                strides = Math.multiplyExact(strides, Math.max(dim, 1));
            }
            return count;
        } catch (ArithmeticException e) {
            throw new SafetensorsFormatException(where + ": shape " + java.util.Arrays.toString(shape)
                    + " is too large (its dimensions multiply past 64 bits) at byte offset " + fileOffset);
        }
    }

    private static void checkNoOverlap(Iterable<TensorInfo> infos, String source) throws SafetensorsFormatException {
        List<TensorInfo> sorted = new ArrayList<>();
        infos.forEach(sorted::add);
        sorted.sort(Comparator.comparingLong(TensorInfo::dataBegin).thenComparingLong(TensorInfo::dataEnd));
        for (int i = 1; i < sorted.size(); i++) {
            TensorInfo previous = sorted.get(i - 1);
            TensorInfo current = sorted.get(i);
            if (current.byteCount() > 0 && previous.byteCount() > 0 && current.dataBegin() < previous.dataEnd()) {
                throw new SafetensorsFormatException(source + ": tensor '" + current.name() + "' at byte offset "
                        + current.fileOffset() + " overlaps tensor '" + previous.name() + "' (byte offsets "
                        + previous.fileOffset() + ".." + (previous.fileOffset() + previous.byteCount()) + ")");
            }
        }
    }
}
