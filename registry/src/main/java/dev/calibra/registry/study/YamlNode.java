package dev.calibra.registry.study;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * A YAML node with its path in the document ("methods[2].bits") and its line, so that every error
 * about a study spec can point at the place in the file. Reading records each path's line in
 * {@link SpecErrors} for the validator's later messages.
 */
record YamlNode(Node node, String path, SpecErrors errors) {

    YamlNode {
        errors.line(path, node.getStartMark().getLine() + 1);
    }

    /** The mapping's entries by key, after refusing keys outside {@code known}. */
    Map<String, YamlNode> mapping(Set<String> known) {
        Map<String, YamlNode> entries = new LinkedHashMap<>();
        if (!(node instanceof MappingNode mapping)) {
            errors.add(path, "must be a mapping (key: value lines)");
            return entries;
        }
        for (NodeTuple tuple : mapping.getValue()) {
            String key = tuple.getKeyNode() instanceof ScalarNode scalar ? scalar.getValue() : "?";
            String childPath = path.isEmpty() ? key : path + "." + key;
            if (!known.contains(key)) {
                errors.line(childPath, tuple.getKeyNode().getStartMark().getLine() + 1);
                errors.add(childPath, "is not a known key here; known: " + String.join(", ", known.stream().sorted().toList()));
                continue;
            }
            entries.put(key, new YamlNode(tuple.getValueNode(), childPath, errors));
        }
        return entries;
    }

    /** The sequence's items; a single scalar counts as a one-item list ("models: stories260K"). */
    List<YamlNode> sequence() {
        List<YamlNode> items = new ArrayList<>();
        if (node instanceof SequenceNode sequence) {
            for (int i = 0; i < sequence.getValue().size(); i++) {
                items.add(new YamlNode(sequence.getValue().get(i), path + "[" + i + "]", errors));
            }
        } else if (node instanceof ScalarNode) {
            items.add(new YamlNode(node, path + "[0]", errors));
        } else {
            errors.add(path, "must be a list");
        }
        return items;
    }

    boolean isMapping() {
        return node instanceof MappingNode;
    }

    String text() {
        if (node instanceof ScalarNode scalar) {
            return scalar.getValue();
        }
        errors.add(path, "must be a single value, not a " + (node instanceof MappingNode ? "mapping" : "list"));
        return "";
    }

    int integer() {
        String text = text();
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            errors.add(path, "must be a whole number, got '" + text + "'");
            return 0;
        }
    }

    long longInteger() {
        String text = text();
        try {
            return Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            errors.add(path, "must be a whole number, got '" + text + "'");
            return 0;
        }
    }

    double number() {
        String text = text();
        try {
            return Double.parseDouble(text.strip());
        } catch (NumberFormatException e) {
            errors.add(path, "must be a number, got '" + text + "'");
            return 0;
        }
    }

    boolean bool() {
        String text = text().strip().toLowerCase(java.util.Locale.ROOT);
        return switch (text) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> {
                errors.add(path, "must be true or false, got '" + text + "'");
                yield false;
            }
        };
    }
}
