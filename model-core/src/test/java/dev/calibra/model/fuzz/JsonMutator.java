package dev.calibra.model.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Mutations that keep JSON well formed but make its values lie: a node replaced by a value of the wrong
 * type, a boundary number, a huge or lone-surrogate string, deep nesting; removed, duplicated or renamed
 * fields. Byte mutations rarely get past a JSON parser; these reach the validation behind it.
 */
public final class JsonMutator {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final List<String> names;

    /** @param names field names and strings of the format, used for renames and string values */
    public JsonMutator(List<String> names) {
        this.names = List.copyOf(names);
    }

    /** A deep copy of {@code root} with 1-4 mutations. */
    public JsonNode mutate(JsonNode root, SplittableRandom random) {
        JsonNode copy = root.deepCopy();
        int count = 1 + (random.nextInt(3) == 0 ? random.nextInt(4) : 0);
        for (int m = 0; m < count; m++) {
            copy = mutateOnce(copy, random);
        }
        return copy;
    }

    public byte[] mutateToBytes(JsonNode root, SplittableRandom random) {
        try {
            return JSON.writeValueAsBytes(mutate(root, random));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private JsonNode mutateOnce(JsonNode root, SplittableRandom random) {
        List<JsonNode> containers = new ArrayList<>();
        collectContainers(root, 0, containers);
        if (containers.isEmpty()) {
            return value(random);
        }
        JsonNode parent = containers.get(random.nextInt(containers.size()));
        if (parent instanceof ObjectNode object) {
            List<String> fields = new ArrayList<>();
            object.fieldNames().forEachRemaining(fields::add);
            String field = fields.isEmpty() ? name(random) : fields.get(random.nextInt(fields.size()));
            switch (random.nextInt(5)) {
                case 0 -> object.remove(field);
                case 1 -> {
                    JsonNode value = object.remove(field);
                    object.set(name(random), value == null ? value(random) : value);
                }
                case 2 -> object.set(name(random), value(random));
                default -> object.set(field, value(random));
            }
        } else if (parent instanceof ArrayNode array) {
            int index = array.isEmpty() ? 0 : random.nextInt(array.size());
            switch (random.nextInt(5)) {
                case 0 -> {
                    if (!array.isEmpty()) {
                        array.remove(index);
                    }
                }
                case 1 -> array.insert(index, array.isEmpty() ? value(random) : array.get(index).deepCopy());
                case 2 -> array.add(value(random));
                default -> {
                    if (array.isEmpty()) {
                        array.add(value(random));
                    } else {
                        array.set(index, value(random));
                    }
                }
            }
        }
        return root;
    }

    /** Containers near the top only, so that two deep values never stack past Jackson's nesting limit. */
    private static void collectContainers(JsonNode node, int depth, List<JsonNode> out) {
        if (node.isContainerNode() && depth < 40) {
            out.add(node);
            node.elements().forEachRemaining(child -> collectContainers(child, depth + 1, out));
        }
    }

    private String name(SplittableRandom random) {
        return names.isEmpty() || random.nextInt(4) == 0 ? "x" + random.nextInt(10) : names.get(random.nextInt(names.size()));
    }

    /** A value of any JSON type, biased to boundaries. */
    private JsonNode value(SplittableRandom random) {
        return switch (random.nextInt(16)) {
            case 0 -> NODES.nullNode();
            case 1 -> NODES.booleanNode(random.nextBoolean());
            case 2 -> NODES.numberNode(new long[] {0, 1, -1, 2, Integer.MAX_VALUE, Integer.MIN_VALUE, 1L << 32,
                    Long.MAX_VALUE, Long.MIN_VALUE}[random.nextInt(9)]);
            case 3 -> NODES.numberNode(random.nextInt(2000) - 1000);
            case 4 -> NODES.numberNode(new BigInteger("1" + "0".repeat(1 + random.nextInt(40))));
            case 5 -> NODES.numberNode(new double[] {0.5, -0.0, 1e300, -1.5, 3.0}[random.nextInt(5)]);
            case 6 -> NODES.numberNode(new BigDecimal("1e" + (300 + random.nextInt(200))));
            case 7 -> NODES.textNode("");
            case 8 -> NODES.textNode(names.isEmpty() ? "a" : names.get(random.nextInt(names.size())));
            case 9 -> NODES.textNode("x".repeat(random.nextInt(random.nextBoolean() ? 100 : 100_000)));
            case 10 -> NODES.textNode("\ud800 lone surrogate, \u0000 nul, \uffff, \r\n");
            case 11 -> NODES.textNode(String.valueOf(random.nextInt(1000) - 10));
            case 12 -> NODES.arrayNode();
            case 13 -> NODES.objectNode();
            case 14 -> {
                ArrayNode array = NODES.arrayNode();
                for (int i = random.nextInt(5); i > 0; i--) {
                    array.add(random.nextInt(3) == 0 ? NODES.textNode(name(random)) : NODES.numberNode(random.nextInt(100)));
                }
                yield array;
            }
            default -> {
                // nesting, deep enough to matter to recursive readers but under Jackson's own limit
                JsonNode node = NODES.numberNode(1);
                for (int depth = random.nextInt(900); depth > 0; depth--) {
                    node = random.nextBoolean() ? NODES.arrayNode().add(node) : NODES.objectNode().set("a", node);
                }
                yield node;
            }
        };
    }
}
