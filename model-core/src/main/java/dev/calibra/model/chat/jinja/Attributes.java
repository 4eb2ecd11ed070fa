package dev.calibra.model.chat.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Jinja2's SandboxedEnvironment.getattr and getitem: {@code a.b} tries the Python attribute first and
 * then the item, {@code a['b']} the item first and then the attribute; what is found in neither is
 * Undefined. Methods that would modify a list or dict come back as the sandbox's unsafe Undefined.
 */
final class Attributes {

    private Attributes() {
    }

    static Object getattr(Object obj, String name) {
        if (obj instanceof Undefined u) {
            throw u.error();
        }
        Object attribute = pythonAttribute(obj, name);
        if (attribute != PyObject.NO_ATTRIBUTE) {
            return attribute;
        }
        Object item = item(obj, name);
        return item != PyObject.NO_ATTRIBUTE ? item : Undefined.member(obj, name);
    }

    static Object getitem(Object obj, Object key) {
        if (obj instanceof Undefined u) {
            throw u.error();
        }
        Object item = item(obj, key);
        if (item != PyObject.NO_ATTRIBUTE) {
            return item;
        }
        if (key instanceof String name) {
            Object attribute = pythonAttribute(obj, name);
            if (attribute != PyObject.NO_ATTRIBUTE) {
                return attribute;
            }
        }
        return Undefined.member(obj, key);
    }

    /** getattr(obj, name) in Python, through the sandbox: no item fallback (the attr filter). */
    static Object pythonAttribute(Object obj, String name) {
        if (name.startsWith("_")) {
            // the sandbox refuses every attribute starting with an underscore
            return hasDunder(name) ? Undefined.unsafe(obj, name) : PyObject.NO_ATTRIBUTE;
        }
        if (PyValues.text(obj) != null) {
            return Methods.ofStr(PyValues.text(obj), name);
        }
        if (obj instanceof Map<?, ?> map) {
            return Methods.ofDict(map, name);
        }
        if (obj instanceof PyTuple tuple) {
            return Methods.ofSequence(tuple, name, false);
        }
        if (obj instanceof PyObject o) {
            return o.attribute(name);
        }
        if (obj instanceof List<?> list) {
            return Methods.ofSequence(list, name, true);
        }
        return PyObject.NO_ATTRIBUTE;
    }

    private static boolean hasDunder(String name) {
        return name.startsWith("__") && name.endsWith("__");
    }

    /** obj[key], or NO_ATTRIBUTE where Python raises LookupError or TypeError. */
    private static Object item(Object obj, Object key) {
        if (obj instanceof Map<?, ?> map) {
            Object value = PyValues.mapGet(map, key);
            return value == PyValues.ABSENT ? PyObject.NO_ATTRIBUTE : value;
        }
        if (!PyValues.isInt(key)) {
            return PyObject.NO_ATTRIBUTE;
        }
        long index = PyValues.toLong(key);
        if (PyValues.text(obj) != null) {
            String s = PyValues.text(obj);
            int n = PyStrings.length(s);
            long i = index < 0 ? index + n : index;
            if (i < 0 || i >= n) {
                return PyObject.NO_ATTRIBUTE;
            }
            int at = PyStrings.offset(s, (int) i);
            return new String(Character.toChars(s.codePointAt(at)));
        }
        if (obj instanceof List<?> list && !(obj instanceof DictView)) {
            long i = index < 0 ? index + list.size() : index;
            return i < 0 || i >= list.size() ? PyObject.NO_ATTRIBUTE : list.get((int) i);
        }
        return PyObject.NO_ATTRIBUTE;
    }

    /** obj[start:stop:step] on str, list, tuple and range. */
    static Object slice(Object obj, Object start, Object stop, Object step) {
        if (obj instanceof Undefined u) {
            throw u.error();
        }
        long stride = step == null ? 1 : index(step);
        if (stride == 0) {
            throw PyException.valueError("slice step cannot be zero");
        }
        if (PyValues.text(obj) != null) {
            int[] cps = PyStrings.codePoints(PyValues.text(obj));
            StringBuilder sb = new StringBuilder();
            for (int i : indices(cps.length, start, stop, stride)) {
                sb.appendCodePoint(cps[i]);
            }
            return sb.toString();
        }
        if (obj instanceof List<?> list && !(obj instanceof DictView)) {
            List<Object> out = new ArrayList<>();
            for (int i : indices(list.size(), start, stop, stride)) {
                out.add(list.get(i));
            }
            return obj instanceof PyTuple ? new PyTuple(out) : PyValues.list(out);
        }
        throw PyException.typeError("'" + PyValues.typeName(obj) + "' object is not subscriptable");
    }

    private static long index(Object bound) {
        if (!PyValues.isInt(bound)) {
            throw PyException.typeError("slice indices must be integers or None or have an __index__ method");
        }
        return PyValues.toLong(bound);
    }

    /** The positions slice(start, stop, step).indices(length) visits. */
    private static List<Integer> indices(int length, Object start, Object stop, long step) {
        long lower = step < 0 ? -1 : 0;
        long upper = step < 0 ? length - 1 : length;
        long from = start == null ? (step < 0 ? upper : lower) : clamp(index(start), length, lower, upper);
        long to = stop == null ? (step < 0 ? lower : upper) : clamp(index(stop), length, lower, upper);
        List<Integer> out = new ArrayList<>();
        for (long i = from; step > 0 ? i < to : i > to; i += step) {
            out.add((int) i);
        }
        return out;
    }

    private static long clamp(long i, int length, long lower, long upper) {
        if (i < 0) {
            i += length;
            return Math.max(i, lower);
        }
        return Math.min(i, upper);
    }
}
