package dev.calibra.model.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.calibra.model.ModelFormatException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * config.json as a family reads it: typed getters that remember every field read (so `calibra models
 * inspect` can show them and unread fields can be checked), and refusals that name the field and its value.
 * A JSON null counts as absent, as transformers reads it.
 */
public final class ConfigFields {

    private final JsonNode root;
    private final String source;
    private final Set<String> read = new LinkedHashSet<>();

    public ConfigFields(JsonNode root, String source) {
        this.root = root;
        this.source = source;
    }

    public String source() {
        return source;
    }

    /** Whether the field is present and not null. */
    public boolean has(String field) {
        JsonNode node = root.get(field);
        return node != null && !node.isNull();
    }

    /** The raw node (marked read), empty when absent or null. */
    public Optional<JsonNode> node(String field) {
        read.add(field);
        return has(field) ? Optional.of(root.get(field)) : Optional.empty();
    }

    public int requiredInt(String field) throws ModelFormatException {
        read.add(field);
        JsonNode node = root.get(field);
        if (node == null || !node.canConvertToInt() || !node.isIntegralNumber()) {
            throw new ModelFormatException(source + ": field '" + field + "' is missing or not an integer");
        }
        return node.asInt();
    }

    public int optionalInt(String field, int fallback) throws ModelFormatException {
        read.add(field);
        if (!has(field)) {
            return fallback;
        }
        JsonNode node = root.get(field);
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw refuse(field, "must be an integer");
        }
        return node.asInt();
    }

    public double optionalDouble(String field, double fallback) throws ModelFormatException {
        read.add(field);
        if (!has(field)) {
            return fallback;
        }
        JsonNode node = root.get(field);
        if (!node.isNumber() || !Double.isFinite(node.asDouble())) {
            throw refuse(field, "must be a finite number");
        }
        return node.asDouble();
    }

    /**
     * A number that may be switched off: absent means the family's default, JSON null means none (0), as
     * transformers' config classes read Gemma's soft-capping fields.
     */
    public double numberOrNone(String field, double whenAbsent) throws ModelFormatException {
        read.add(field);
        JsonNode node = root.get(field);
        if (node == null) {
            return whenAbsent;
        }
        if (node.isNull()) {
            return 0;
        }
        if (!node.isNumber() || !Double.isFinite(node.asDouble()) || node.asDouble() < 0) {
            throw refuse(field, "must be a non-negative number or null");
        }
        return node.asDouble();
    }

    public boolean optionalBoolean(String field, boolean fallback) throws ModelFormatException {
        read.add(field);
        if (!has(field)) {
            return fallback;
        }
        JsonNode node = root.get(field);
        if (!node.isBoolean()) {
            throw refuse(field, "must be true or false");
        }
        return node.asBoolean();
    }

    public String optionalString(String field, String fallback) throws ModelFormatException {
        read.add(field);
        if (!has(field)) {
            return fallback;
        }
        JsonNode node = root.get(field);
        if (!node.isTextual()) {
            throw refuse(field, "must be a string");
        }
        return node.asText();
    }

    /** A list of strings (layer_types). */
    public Optional<List<String>> optionalStrings(String field) throws ModelFormatException {
        Optional<JsonNode> node = node(field);
        if (node.isEmpty()) {
            return Optional.empty();
        }
        if (!node.get().isArray()) {
            throw refuse(field, "must be a list of strings");
        }
        List<String> values = new ArrayList<>();
        for (JsonNode item : node.get()) {
            if (!item.isTextual()) {
                throw refuse(field, "must be a list of strings");
            }
            values.add(item.asText());
        }
        return Optional.of(values);
    }

    /** An error naming the field, its value and why Calibra cannot run it. */
    public ModelFormatException refuse(String field, String why) {
        JsonNode value = root.get(field);
        return new ModelFormatException(source + ": field '" + field + "'" + (value == null ? "" : " = " + abbreviate(value))
                + ": " + why);
    }

    private static String abbreviate(JsonNode value) {
        String text = value.toString();
        return text.length() > 120 ? text.substring(0, 117) + "..." : text;
    }

    /** The fields read so far, in reading order. */
    public List<String> read() {
        return List.copyOf(read);
    }

    /** Every field of the file. */
    public List<String> fields() {
        List<String> fields = new ArrayList<>();
        root.fieldNames().forEachRemaining(fields::add);
        return fields;
    }

    /** The value of a field as written, for display; empty when absent. */
    public Optional<String> valueText(String field) {
        JsonNode node = root.get(field);
        return node == null ? Optional.empty() : Optional.of(abbreviate(node));
    }
}
