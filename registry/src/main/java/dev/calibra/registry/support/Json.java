package dev.calibra.registry.support;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** JSON columns: string maps and lists through Jackson, proto messages through protobuf's JsonFormat. */
public final class Json {

    private static final ObjectMapper MAPPER = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace().sortingMapKeys();
    private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

    private Json() {}

    public static String ofMap(Map<String, String> map) {
        return write(new TreeMap<>(map));
    }

    public static Map<String, String> toMap(String json) {
        return read(json == null || json.isEmpty() ? "{}" : json, new TypeReference<Map<String, String>>() {});
    }

    public static String ofList(List<String> list) {
        return write(list);
    }

    public static List<String> toList(String json) {
        return read(json == null || json.isEmpty() ? "[]" : json, new TypeReference<List<String>>() {});
    }

    /** Canonical JSON of a message: sorted map keys, no whitespace, defaults omitted. */
    public static String ofMessage(Message message) {
        try {
            return PRINTER.print(message);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("cannot print " + message.getDescriptorForType().getFullName(), e);
        }
    }

    public static <B extends Message.Builder> B toMessage(String json, B builder) {
        try {
            PARSER.merge(json, builder);
            return builder;
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("stored JSON does not parse as " + builder.getDescriptorForType().getFullName(), e);
        }
    }

    private static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static <T> T read(String json, TypeReference<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is malformed: " + json, e);
        }
    }
}
