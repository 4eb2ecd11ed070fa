package dev.calibra.model.chat.jinja;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Python's view of the engine's values. Inside the engine: None is null, bool is Boolean, int is Long,
 * float is Double, str is String, list is an unmodifiable List, dict an unmodifiable Map (insertion
 * ordered), tuple a {@link PyTuple}; the rest are {@link PyObject}s.
 */
final class PyValues {

    private PyValues() {
    }

    /** Copies a caller's value into the engine's representation (numbers widened, containers frozen). */
    static Object fromJava(Object value, String path) {
        if (value == null || value instanceof String || value instanceof Boolean || value instanceof Long
                || value instanceof Double) {
            return value;
        }
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof BigInteger big) {
            if (big.bitLength() > 63) {
                throw PyException.notSupported("integer " + big + " at " + path + " is beyond 64 bits");
            }
            return big.longValue();
        }
        if (value instanceof Float || value instanceof BigDecimal) {
            return ((Number) value).doubleValue();
        }
        if (value instanceof Character c) {
            return c.toString();
        }
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> copy = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                copy.put(fromJava(e.getKey(), path), fromJava(e.getValue(), path + "." + e.getKey()));
            }
            return Collections.unmodifiableMap(copy);
        }
        if (value instanceof Collection<?> collection) {
            List<Object> copy = new ArrayList<>(collection.size());
            int i = 0;
            for (Object item : collection) {
                copy.add(fromJava(item, path + "[" + i++ + "]"));
            }
            return Collections.unmodifiableList(copy);
        }
        throw PyException.notSupported("variable " + path + " has type " + value.getClass().getName());
    }

    static List<Object> list(List<Object> items) {
        return Collections.unmodifiableList(items);
    }

    /** The text of a str: a String, or the text of a Markup (a str subclass in Python); else null. */
    static String text(Object v) {
        if (v instanceof String s) {
            return s;
        }
        return v instanceof Markup m ? m.text() : null;
    }

    static boolean isNumber(Object v) {
        return v instanceof Long || v instanceof Double || v instanceof Boolean;
    }

    /** int in Python's sense, bool included (True + 1 == 2). */
    static boolean isInt(Object v) {
        return v instanceof Long || v instanceof Boolean;
    }

    static long toLong(Object v) {
        if (v instanceof Boolean b) {
            return b ? 1 : 0;
        }
        return (Long) v;
    }

    static double toDouble(Object v) {
        if (v instanceof Double d) {
            return d;
        }
        return toLong(v);
    }

    /** A plain list: not a tuple, range or dict view, which Python keeps apart in ==, + and repr. */
    static boolean isPlainList(Object v) {
        return v instanceof List && !(v instanceof PyObject);
    }

    static String typeName(Object v) {
        if (v == null) {
            return "NoneType";
        }
        if (v instanceof Boolean) {
            return "bool";
        }
        if (v instanceof Long) {
            return "int";
        }
        if (v instanceof Double) {
            return "float";
        }
        if (v instanceof String) {
            return "str";
        }
        if (v instanceof PyObject o) {
            return o.typeName();
        }
        if (v instanceof List) {
            return "list";
        }
        if (v instanceof Map) {
            return "dict";
        }
        if (v instanceof PyCallable) {
            return "function";
        }
        return v.getClass().getSimpleName();
    }

    static boolean truthy(Object v) {
        if (v == null) {
            return false;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof Long l) {
            return l != 0;
        }
        if (v instanceof Double d) {
            return d != 0.0;
        }
        if (v instanceof String || v instanceof Markup) {
            return !text(v).isEmpty();
        }
        if (v instanceof Collection<?> c) {
            return !c.isEmpty();
        }
        if (v instanceof Map<?, ?> m) {
            return !m.isEmpty();
        }
        return !(v instanceof Undefined);
    }

    /** Python's str(). */
    static String str(Object v) {
        if (v instanceof String || v instanceof Markup) {
            return text(v);
        }
        if (v instanceof Undefined) {
            return "";
        }
        return repr(v);
    }

    /** Python's repr(). */
    static String repr(Object v) {
        if (v == null) {
            return "None";
        }
        if (v instanceof Boolean b) {
            return b ? "True" : "False";
        }
        if (v instanceof Long) {
            return v.toString();
        }
        if (v instanceof Double d) {
            return floatRepr(d);
        }
        if (v instanceof String s) {
            return PyStrings.repr(s);
        }
        if (v instanceof PyObject o) {
            return o.repr();
        }
        if (v instanceof List<?> list) {
            return joinRepr("[", list, "]");
        }
        if (v instanceof Map<?, ?> map) {
            StringBuilder sb = new StringBuilder("{");
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (sb.length() > 1) {
                    sb.append(", ");
                }
                sb.append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
            }
            return sb.append('}').toString();
        }
        if (v instanceof PyCallable) {
            return "<built-in function>";
        }
        return v.toString();
    }

    static String joinRepr(String open, List<?> items, String close) {
        StringBuilder sb = new StringBuilder(open);
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(repr(items.get(i)));
        }
        return sb.append(close).toString();
    }

    /** float.__repr__: the shortest digits that round-trip, positional for 1e-4 <= |x| < 1e16. */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return 1 / d < 0 ? "-0.0" : "0.0";
        }
        BigDecimal exact = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
        String digits = exact.unscaledValue().toString();
        int exponent = digits.length() - 1 - exact.scale();
        StringBuilder sb = new StringBuilder(d < 0 ? "-" : "");
        if (exponent < -4 || exponent >= 16) {
            sb.append(digits.charAt(0));
            if (digits.length() > 1) {
                sb.append('.').append(digits, 1, digits.length());
            }
            sb.append('e').append(exponent < 0 ? '-' : '+');
            String e = Integer.toString(Math.abs(exponent));
            sb.append(e.length() < 2 ? "0" + e : e);
        } else if (exponent < 0) {
            sb.append("0.").append("0".repeat(-exponent - 1)).append(digits);
        } else if (digits.length() <= exponent + 1) {
            sb.append(digits).append("0".repeat(exponent + 1 - digits.length())).append(".0");
        } else {
            sb.append(digits, 0, exponent + 1).append('.').append(digits, exponent + 1, digits.length());
        }
        return sb.toString();
    }

    /** Python's ==, with Jinja's rule that any two Undefined are equal. */
    static boolean equal(Object a, Object b) {
        if (a == b) {
            return true;
        }
        if (a == null || b == null) {
            return false;
        }
        if (a instanceof Undefined || b instanceof Undefined) {
            return a instanceof Undefined && b instanceof Undefined;
        }
        if (isNumber(a) && isNumber(b)) {
            if (isInt(a) && isInt(b)) {
                return toLong(a) == toLong(b);
            }
            return toDouble(a) == toDouble(b);
        }
        if (text(a) != null || text(b) != null) {
            return text(a) != null && text(a).equals(text(b));
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (!sameSequenceType(a, b) || x.size() != y.size() || a instanceof DictView) {
                return false;
            }
            for (int i = 0; i < x.size(); i++) {
                if (!equal(x.get(i), y.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (Map.Entry<?, ?> e : x.entrySet()) {
                Object other = mapGet(y, e.getKey());
                if (other == ABSENT || !equal(e.getValue(), other)) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    static boolean sameSequenceType(Object a, Object b) {
        return typeName(a).equals(typeName(b));
    }

    static final Object ABSENT = new Object();

    /** dict lookup with Python's key equality (1, 1.0 and True are one key). */
    static Object mapGet(Map<?, ?> map, Object key) {
        if (map.containsKey(key)) {
            return map.get(key);
        }
        if (key == null || key instanceof String) {
            return ABSENT;
        }
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (equal(e.getKey(), key)) {
                return e.getValue();
            }
        }
        return ABSENT;
    }

    /** d[key] = value with Python's key equality: {1: 'a', True: 'b'} keeps key 1 with value 'b'. */
    static void put(Map<Object, Object> map, Object key, Object value) {
        if (!map.containsKey(key) && key != null && !(key instanceof String)) {
            for (Map.Entry<Object, Object> e : map.entrySet()) {
                if (equal(e.getKey(), key)) {
                    e.setValue(value);
                    return;
                }
            }
        }
        map.put(key, value);
    }

    /** iter(x) drained into a list; Undefined iterates as empty. */
    static List<Object> iterate(Object v) {
        if (v instanceof Undefined) {
            return List.of();
        }
        if (text(v) != null) {
            return new ArrayList<>(PyStrings.chars(text(v)));
        }
        if (v instanceof PyIterator it) {
            List<Object> out = new ArrayList<>();
            Iterator<Object> items = it.iterator();
            while (items.hasNext()) {
                out.add(items.next());
            }
            return out;
        }
        if (v instanceof Collection<?> c) {
            return new ArrayList<>(c);
        }
        if (v instanceof Map<?, ?> m) {
            return new ArrayList<>(m.keySet());
        }
        throw PyException.typeError("'" + typeName(v) + "' object is not iterable");
    }

    /** An iterator without draining generators first (first, in, map over a generator). */
    static Iterator<Object> iterator(Object v) {
        if (v instanceof PyIterator it) {
            return it.iterator();
        }
        return iterate(v).iterator();
    }

    static boolean isIterable(Object v) {
        return v instanceof Undefined || text(v) != null || v instanceof PyIterator || v instanceof Collection
                || v instanceof Map;
    }

    /** len(x). */
    static long length(Object v) {
        if (text(v) != null) {
            return PyStrings.length(text(v));
        }
        if (v instanceof Collection<?> c) {
            return c.size();
        }
        if (v instanceof Map<?, ?> m) {
            return m.size();
        }
        if (v instanceof Undefined) {
            return 0;
        }
        throw PyException.typeError("object of type '" + typeName(v) + "' has no len()");
    }

    static boolean isCallable(Object v) {
        return v instanceof PyCallable;
    }
}
