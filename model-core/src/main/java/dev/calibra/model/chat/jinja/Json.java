package dev.calibra.model.chat.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Python's json.dumps, byte for byte: the output of transformers' tojson filter. */
final class Json {

    private final boolean ensureAscii;
    private final String indent;
    private final String itemSeparator;
    private final String keySeparator;
    private final boolean sortKeys;
    private final StringBuilder out = new StringBuilder();

    private Json(boolean ensureAscii, String indent, String itemSeparator, String keySeparator, boolean sortKeys) {
        this.ensureAscii = ensureAscii;
        this.indent = indent;
        this.itemSeparator = itemSeparator;
        this.keySeparator = keySeparator;
        this.sortKeys = sortKeys;
    }

    /** json.dumps(value, ensure_ascii, indent (null: none), separators, sort_keys). */
    static String dumps(Object value, boolean ensureAscii, String indent, String itemSeparator, String keySeparator,
            boolean sortKeys) {
        Json json = new Json(ensureAscii, indent, itemSeparator, keySeparator, sortKeys);
        json.write(value, 0);
        return json.out.toString();
    }

    private void write(Object v, int level) {
        if (v == null) {
            out.append("null");
        } else if (v instanceof Boolean b) {
            out.append(b ? "true" : "false");
        } else if (v instanceof Long) {
            out.append(v);
        } else if (v instanceof Double d) {
            out.append(floatText(d));
        } else if (PyValues.text(v) != null) {
            string(PyValues.text(v));
        } else if (v instanceof Map<?, ?> map) {
            object(map, level);
        } else if (PyValues.isPlainList(v) || v instanceof PyTuple) {
            array((List<?>) v, level);
        } else {
            throw PyException.typeError("Object of type " + PyValues.typeName(v) + " is not JSON serializable");
        }
    }

    private static String floatText(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        return PyValues.floatRepr(d);
    }

    private void newline(int level) {
        if (indent != null) {
            out.append('\n').append(indent.repeat(level));
        }
    }

    private void array(List<?> items, int level) {
        if (items.isEmpty()) {
            out.append("[]");
            return;
        }
        out.append('[');
        newline(level + 1);
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                out.append(itemSeparator);
                newline(level + 1);
            }
            write(items.get(i), level + 1);
        }
        newline(level);
        out.append(']');
    }

    private void object(Map<?, ?> map, int level) {
        if (map.isEmpty()) {
            out.append("{}");
            return;
        }
        List<Map.Entry<?, ?>> entries = new ArrayList<>(map.entrySet());
        if (sortKeys) {
            entries.sort((x, y) -> Operators.sortOrder(x.getKey(), y.getKey()));
        }
        out.append('{');
        newline(level + 1);
        boolean first = true;
        for (Map.Entry<?, ?> e : entries) {
            if (!first) {
                out.append(itemSeparator);
                newline(level + 1);
            }
            first = false;
            string(key(e.getKey()));
            out.append(keySeparator);
            write(e.getValue(), level + 1);
        }
        newline(level);
        out.append('}');
    }

    private static String key(Object key) {
        if (PyValues.text(key) != null) {
            return PyValues.text(key);
        }
        if (key instanceof Double d) {
            return floatText(d);
        }
        if (key instanceof Boolean || key == null) {
            return key == null ? "null" : key.toString();
        }
        if (key instanceof Long) {
            return key.toString();
        }
        throw PyException.typeError("keys must be str, int, float, bool or None, not " + PyValues.typeName(key));
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    out.append("\\\"");
                    break;
                case '\\':
                    out.append("\\\\");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                case '\r':
                    out.append("\\r");
                    break;
                case '\t':
                    out.append("\\t");
                    break;
                case '\b':
                    out.append("\\b");
                    break;
                case '\f':
                    out.append("\\f");
                    break;
                default:
                    // UTF-16 units, so characters beyond the BMP come out as surrogate pairs like Python's
                    if (c < 0x20 || ensureAscii && c > 0x7e) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
            }
        }
        out.append('"');
    }
}
