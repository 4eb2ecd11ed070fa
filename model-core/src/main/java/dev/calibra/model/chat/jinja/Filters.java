package dev.calibra.model.chat.jinja;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Jinja2's filters as jinja2/filters.py defines them (autoescape off), plus transformers' own tojson.
 * Filters Jinja2 returns generators from (map, select, selectattr, items, unique, batch, reverse)
 * return a one-shot {@link PyIterator} here too, so that {@code |length} on them fails as it does there.
 */
final class Filters {

    private Filters() {
    }

    @FunctionalInterface
    private interface Filter {
        Object apply(Object value, List<Object> args, Map<String, Object> kwargs);
    }

    @FunctionalInterface
    private interface BoundFilter {
        Object apply(Object value, Object[] args);
    }

    private static final Map<String, Filter> FILTERS = new HashMap<>();

    /** Jinja2 filters this engine does not implement: an error when used, not at parse time. */
    private static final Set<String> UNSUPPORTED = Set.of("filesizeformat", "format", "groupby", "pprint", "random",
            "slice", "striptags", "truncate", "urlencode", "urlize", "wordwrap", "xmlattr");

    private static final Pattern WORD = Pattern.compile("\\w+", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern PY_INT = Pattern.compile("[+-]?\\d+(?:_\\d+)*");
    private static final Pattern PY_FLOAT = Pattern.compile(
            "[+-]?(?:(?:\\d(?:_?\\d)*)?\\.?\\d(?:_?\\d)*(?:[eE][+-]?\\d(?:_?\\d)*)?|\\d(?:_?\\d)*\\.)"
                    + "|[+-]?(?i:inf|infinity|nan)");

    private static void register(String name, Filter filter) {
        FILTERS.put(name, filter);
    }

    /** A filter whose arguments bind to a fixed signature: names alternating with defaults. */
    private static void register(String name, BoundFilter filter, Object... signature) {
        Signature bound = Signature.of(name, signature);
        FILTERS.put(name, (value, args, kwargs) -> filter.apply(value, bound.bind(args, kwargs)));
    }

    static {
        register("abs", (v, a) -> abs(v));
        register("attr", (v, a) -> {
            Object attribute = Attributes.pythonAttribute(v, Methods.string(a[0]));
            return attribute == PyObject.NO_ATTRIBUTE ? Undefined.member(v, a[0]) : attribute;
        }, "name", Signature.REQUIRED);
        register("batch", (v, a) -> batch(v, Methods.integer(a[0]), a[1]), "linecount", Signature.REQUIRED,
                "fill_with", null);
        register("capitalize", (v, a) -> PyStrings.capitalize(PyValues.str(v)));
        register("center", (v, a) -> PyStrings.pad(PyValues.str(v), Methods.integer(a[0]), " ", 'c'), "width",
                80L);
        register("length", (v, a) -> PyValues.length(v));
        register("count", (v, a) -> PyValues.length(v));
        BoundFilter fallback = (v, a) -> (PyValues.truthy(a[1]) ? !PyValues.truthy(v) : v instanceof Undefined)
                ? a[0] : v;
        register("default", fallback, "default_value", "", "boolean", false);
        register("d", fallback, "default_value", "", "boolean", false);
        register("dictsort", Filters::dictsort, "case_sensitive", false, "by", "key", "reverse", false);
        register("first", (v, a) -> first(v));
        register("float", (v, a) -> toFloat(v, a[0]), "default", 0.0);
        register("indent", (v, a) -> indent(PyValues.str(v), a[0], PyValues.truthy(a[1]), PyValues.truthy(a[2])),
                "width", 4L, "first", false, "blank", false);
        register("int", (v, a) -> toInt(v, a[0], Methods.integer(a[1])), "default", 0L, "base", 10L);
        register("items", (v, a) -> items(v));
        register("join", Filters::join, "d", "", "attribute", null);
        register("last", (v, a) -> last(v));
        register("list", (v, a) -> PyValues.list(PyValues.iterate(v)));
        register("lower", (v, a) -> PyStrings.lower(PyValues.str(v)));
        register("upper", (v, a) -> PyStrings.upper(PyValues.str(v)));
        register("title", (v, a) -> title(PyValues.str(v)));
        register("map", Filters::map);
        register("max", (v, a) -> minOrMax(v, PyValues.truthy(a[0]), a[1], false), "case_sensitive", false,
                "attribute", null);
        register("min", (v, a) -> minOrMax(v, PyValues.truthy(a[0]), a[1], true), "case_sensitive", false,
                "attribute", null);
        register("select", (v, args, kwargs) -> select(v, args, kwargs, false, true));
        register("reject", (v, args, kwargs) -> select(v, args, kwargs, false, false));
        register("selectattr", (v, args, kwargs) -> select(v, args, kwargs, true, true));
        register("rejectattr", (v, args, kwargs) -> select(v, args, kwargs, true, false));
        register("replace", (v, a) -> PyStrings.replace(PyValues.str(v), PyValues.str(a[0]), PyValues.str(a[1]),
                a[2] == null ? -1 : Methods.integer(a[2])), "old", Signature.REQUIRED, "new", Signature.REQUIRED,
                "count", null);
        register("reverse", (v, a) -> reverse(v));
        register("round", (v, a) -> round(v, Methods.integer(a[0]), Methods.string(a[1])), "precision", 0L,
                "method", "common");
        register("safe", (v, a) -> v instanceof Markup ? v : new Markup(PyValues.str(v)));
        register("escape", (v, a) -> Markup.escape(v));
        register("e", (v, a) -> Markup.escape(v));
        register("forceescape", (v, a) -> new Markup(Markup.escapeText(PyValues.str(v))));
        register("sort", Filters::sort, "reverse", false, "case_sensitive", false, "attribute", null);
        register("string", (v, a) -> PyValues.str(v));
        register("sum", Filters::sum, "attribute", null, "start", 0L);
        register("tojson", Filters::tojson, "ensure_ascii", false, "indent", null, "separators", null,
                "sort_keys", false);
        register("trim", (v, a) -> {
            if (a[0] != null && !(a[0] instanceof String)) {
                throw PyException.typeError("strip arg must be None or str");
            }
            return PyStrings.strip(PyValues.str(v), a[0], true, true);
        }, "chars", null);
        register("unique", Filters::unique, "case_sensitive", false, "attribute", null);
        register("wordcount", (v, a) -> {
            Matcher m = WORD.matcher(PyValues.str(v));
            long n = 0;
            while (m.find()) {
                n++;
            }
            return n;
        });
    }

    /** Known to Jinja2, so a template that names it compiles. */
    static boolean isKnown(String name) {
        return FILTERS.containsKey(name) || UNSUPPORTED.contains(name);
    }

    static Object apply(String name, Object value, List<Object> args, Map<String, Object> kwargs) {
        Filter filter = FILTERS.get(name);
        if (filter == null) {
            if (UNSUPPORTED.contains(name)) {
                throw PyException.notSupported("filter '" + name + "'");
            }
            throw new PyException("TemplateRuntimeError", "No filter named " + PyValues.repr(name) + ".");
        }
        return filter.apply(value, args, kwargs);
    }

    private static Object abs(Object v) {
        if (v instanceof Undefined u) {
            throw u.error();
        }
        if (PyValues.isInt(v)) {
            return Math.abs(PyValues.toLong(v));
        }
        if (v instanceof Double d) {
            return Math.abs(d);
        }
        throw PyException.typeError("bad operand type for abs(): '" + PyValues.typeName(v) + "'");
    }

    /** jinja2's title filter: upper-cases after spaces, dashes and opening brackets, unlike str.title(). */
    private static String title(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean wordStart = true;
        for (int c : PyStrings.codePoints(s)) {
            boolean separator = PyStrings.isSpace(c) || c == '-' || c == '(' || c == '{' || c == '[' || c == '<';
            if (separator) {
                sb.appendCodePoint(c);
            } else {
                sb.append(wordStart ? PyStrings.upper(new String(Character.toChars(c)))
                        : PyStrings.lower(new String(Character.toChars(c))));
            }
            wordStart = separator;
        }
        return sb.toString();
    }

    private static Object first(Object v) {
        Iterator<Object> items = PyValues.iterator(v);
        return items.hasNext() ? items.next() : Undefined.hint("No first item, sequence was empty.");
    }

    private static Object last(Object v) {
        if (v instanceof PyIterator || !PyValues.isIterable(v)) {
            throw PyException.typeError("'" + PyValues.typeName(v) + "' object is not reversible");
        }
        List<Object> items = PyValues.iterate(v);
        return items.isEmpty() ? Undefined.hint("No last item, sequence was empty.") : items.get(items.size() - 1);
    }

    private static Object reverse(Object v) {
        if (v instanceof String s) {
            return new StringBuilder(s).reverse().toString();
        }
        if (v instanceof PyIterator) {
            List<Object> items = PyValues.iterate(v);
            Collections.reverse(items);
            return PyValues.list(items);
        }
        if (!PyValues.isIterable(v)) {
            throw new PyException("FilterArgumentError", "argument must be iterable");
        }
        List<Object> items = PyValues.iterate(v);
        Collections.reverse(items);
        String type = v instanceof Map ? "dict_reversekeyiterator"
                : PyValues.isPlainList(v) ? "list_reverseiterator" : "reversed";
        return new PyIterator(type, items.iterator());
    }

    private static Object items(Object v) {
        if (v instanceof Undefined) {
            return new PyIterator("generator", Collections.emptyIterator());
        }
        if (!(v instanceof Map<?, ?> map)) {
            throw new PyException("FilterArgumentError", "Can only get item pairs from a mapping.");
        }
        List<Object> pairs = new ArrayList<>();
        map.forEach((k, x) -> pairs.add(PyTuple.of(k, x)));
        return new PyIterator("generator", pairs.iterator());
    }

    private static Object dictsort(Object v, Object[] a) {
        if (!(v instanceof Map<?, ?> map)) {
            throw new PyException("AttributeError", "'" + PyValues.typeName(v) + "' object has no attribute 'items'");
        }
        int position;
        if ("key".equals(a[1])) {
            position = 0;
        } else if ("value".equals(a[1])) {
            position = 1;
        } else {
            throw new PyException("FilterArgumentError", "You can only sort by either \"key\" or \"value\"");
        }
        boolean caseSensitive = PyValues.truthy(a[0]);
        List<Object> pairs = new ArrayList<>();
        map.forEach((k, x) -> pairs.add(PyTuple.of(k, x)));
        return sorted(pairs, pair -> {
            Object key = ((PyTuple) pair).get(position);
            return caseSensitive ? key : ignoreCase(key);
        }, PyValues.truthy(a[2]));
    }

    private static Object ignoreCase(Object v) {
        return v instanceof String s ? PyStrings.lower(s) : v;
    }

    /** Python's sorted(items, key, reverse): stable, ordered by {@code <} on the keys. */
    private static List<Object> sorted(List<Object> items, Function<Object, Object> key, boolean reverse) {
        List<Object> keys = new ArrayList<>(items.size());
        List<Integer> order = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            keys.add(key.apply(items.get(i)));
            order.add(i);
        }
        order.sort((x, y) -> reverse ? Operators.sortOrder(keys.get(y), keys.get(x))
                : Operators.sortOrder(keys.get(x), keys.get(y)));
        List<Object> out = new ArrayList<>(items.size());
        for (int i : order) {
            out.add(items.get(i));
        }
        return PyValues.list(out);
    }

    /** jinja2.filters._prepare_attribute_parts: "a.0.b" is a, 0, b. */
    private static List<Object> attributeParts(Object attribute) {
        if (attribute == null) {
            return List.of();
        }
        if (!(attribute instanceof String s)) {
            return List.of(attribute);
        }
        List<Object> parts = new ArrayList<>();
        for (Object part : PyStrings.split(s, ".", -1)) {
            String p = (String) part;
            parts.add(!p.isEmpty() && p.chars().allMatch(c -> c >= '0' && c <= '9') ? (Object) Long.parseLong(p) : p);
        }
        return parts;
    }

    /** jinja2.filters.make_attrgetter. */
    private static Function<Object, Object> attributeGetter(Object attribute, Object defaultValue,
            Function<Object, Object> postprocess) {
        List<Object> parts = attributeParts(attribute);
        return item -> {
            for (Object part : parts) {
                item = Attributes.getitem(item, part);
                if (defaultValue != null && item instanceof Undefined) {
                    item = defaultValue;
                }
            }
            return postprocess == null ? item : postprocess.apply(item);
        };
    }

    /** jinja2.filters.make_multi_attrgetter: "a,b" sorts by a, then b. */
    private static Function<Object, Object> multiAttributeGetter(Object attribute, Function<Object, Object> postprocess) {
        List<List<Object>> getters = new ArrayList<>();
        List<Object> names = attribute instanceof String s ? PyStrings.split(s, ",", -1)
                : java.util.Arrays.asList(attribute);
        for (Object name : names) {
            getters.add(attributeParts(name));
        }
        return item -> {
            List<Object> keys = new ArrayList<>();
            for (List<Object> parts : getters) {
                Object key = item;
                for (Object part : parts) {
                    key = Attributes.getitem(key, part);
                }
                keys.add(postprocess == null ? key : postprocess.apply(key));
            }
            return PyValues.list(keys);
        };
    }

    private static Object sort(Object v, Object[] a) {
        boolean caseSensitive = PyValues.truthy(a[1]);
        return sorted(PyValues.iterate(v), multiAttributeGetter(a[2], caseSensitive ? null : Filters::ignoreCase),
                PyValues.truthy(a[0]));
    }

    private static Object unique(Object v, Object[] a) {
        Function<Object, Object> key = attributeGetter(a[1], null,
                PyValues.truthy(a[0]) ? null : Filters::ignoreCase);
        List<Object> seen = new ArrayList<>();
        return lazyFilter(PyValues.iterator(v), item -> {
            Object k = key.apply(item);
            if (k instanceof List || k instanceof Map) {
                throw PyException.typeError("unhashable type: '" + PyValues.typeName(k) + "'");
            }
            for (Object s : seen) {
                if (PyValues.equal(s, k)) {
                    return false;
                }
            }
            seen.add(k);
            return true;
        });
    }

    private static Object minOrMax(Object v, boolean caseSensitive, Object attribute, boolean min) {
        List<Object> items = PyValues.iterate(v);
        if (items.isEmpty()) {
            return Undefined.hint("No aggregated item, sequence was empty.");
        }
        Function<Object, Object> key = attributeGetter(attribute, null, caseSensitive ? null : Filters::ignoreCase);
        Object best = items.get(0);
        Object bestKey = key.apply(best);
        for (Object item : items.subList(1, items.size())) {
            Object k = key.apply(item);
            if (min ? Operators.order("<", k, bestKey) : Operators.order(">", k, bestKey)) {
                best = item;
                bestKey = k;
            }
        }
        return best;
    }

    private static Object join(Object v, Object[] a) {
        Function<Object, Object> getter = a[1] == null ? Function.identity() : attributeGetter(a[1], null, null);
        StringBuilder sb = new StringBuilder();
        String separator = PyValues.str(a[0]);
        Iterator<Object> items = PyValues.iterator(v);
        boolean firstItem = true;
        while (items.hasNext()) {
            if (!firstItem) {
                sb.append(separator);
            }
            sb.append(PyValues.str(getter.apply(items.next())));
            firstItem = false;
        }
        return sb.toString();
    }

    private static Object sum(Object v, Object[] a) {
        Function<Object, Object> getter = a[0] == null ? Function.identity() : attributeGetter(a[0], null, null);
        Object total = a[1];
        if (PyValues.text(total) != null) {
            throw PyException.typeError("sum() can't sum strings [use ''.join(seq) instead]");
        }
        for (Object item : PyValues.iterate(v)) {
            total = Operators.binary("+", total, getter.apply(item));
        }
        return total;
    }

    /** map(attribute='x', default=...) or map('filter', *args, **kwargs). */
    private static Object map(Object v, List<Object> args, Map<String, Object> kwargs) {
        if (!PyValues.truthy(v)) {
            // Jinja2 yields nothing for a false value (None included) before looking at the arguments
            return new PyIterator("generator", Collections.emptyIterator());
        }
        Function<Object, Object> function;
        if (args.isEmpty() && kwargs.containsKey("attribute")) {
            Map<String, Object> rest = new LinkedHashMap<>(kwargs);
            Object attribute = rest.remove("attribute");
            Object defaultValue = rest.remove("default");
            if (!rest.isEmpty()) {
                throw new PyException("FilterArgumentError",
                        "Unexpected keyword argument " + PyValues.repr(rest.keySet().iterator().next()));
            }
            function = attributeGetter(attribute, defaultValue, null);
        } else {
            if (args.isEmpty()) {
                throw new PyException("FilterArgumentError", "map requires a filter argument");
            }
            String name = PyValues.str(args.get(0));
            List<Object> rest = args.subList(1, args.size());
            function = item -> apply(name, item, rest, kwargs);
        }
        return lazyMap(PyValues.iterator(v), function);
    }

    /** select/reject(test, *args) and selectattr/rejectattr(attribute, test, *args). */
    private static Object select(Object v, List<Object> args, Map<String, Object> kwargs, boolean byAttribute,
            boolean keep) {
        if (!PyValues.truthy(v)) {
            return new PyIterator("generator", Collections.emptyIterator());
        }
        Function<Object, Object> transform = Function.identity();
        int offset = 0;
        if (byAttribute) {
            if (args.isEmpty()) {
                throw new PyException("FilterArgumentError", "Missing parameter for attribute name");
            }
            transform = attributeGetter(args.get(0), null, null);
            offset = 1;
        }
        Predicate<Object> test;
        if (args.size() > offset) {
            String name = PyValues.str(args.get(offset));
            List<Object> rest = args.subList(offset + 1, args.size());
            test = x -> Tests.apply(name, x, rest, kwargs);
        } else {
            test = PyValues::truthy;
        }
        Function<Object, Object> getter = transform;
        return lazyFilter(PyValues.iterator(v), item -> test.test(getter.apply(item)) == keep);
    }

    private static Object batch(Object v, long size, Object fill) {
        if (size <= 0) {
            throw PyException.notSupported("batch with a count below 1");
        }
        List<Object> batches = new ArrayList<>();
        List<Object> current = new ArrayList<>();
        for (Object item : PyValues.iterate(v)) {
            if (current.size() == size) {
                batches.add(PyValues.list(current));
                current = new ArrayList<>();
            }
            current.add(item);
        }
        if (!current.isEmpty()) {
            while (fill != null && current.size() < size) {
                current.add(fill);
            }
            batches.add(PyValues.list(current));
        }
        return new PyIterator("generator", batches.iterator());
    }

    private static Object round(Object v, long precision, String method) {
        if (!PyValues.isNumber(v)) {
            if (v instanceof Undefined u) {
                throw u.error();
            }
            throw PyException.typeError("type " + PyValues.typeName(v) + " doesn't define __round__ method");
        }
        switch (method) {
            case "common":
                if (PyValues.isInt(v)) {
                    long x = PyValues.toLong(v);
                    return precision >= 0 ? x
                            : BigDecimal.valueOf(x).setScale((int) precision, RoundingMode.HALF_EVEN).longValue();
                }
                double d = (Double) v;
                if (Double.isNaN(d) || Double.isInfinite(d)) {
                    return d;
                }
                // the exact binary value, rounded half to even, as Python's round does
                return new BigDecimal(d).setScale((int) precision, RoundingMode.HALF_EVEN).doubleValue();
            case "ceil":
            case "floor": {
                double scale = Math.pow(10, precision);
                double x = PyValues.toDouble(v) * scale;
                return (method.equals("ceil") ? Math.ceil(x) : Math.floor(x)) / scale;
            }
            default:
                throw new PyException("FilterArgumentError", "method must be common, ceil or floor");
        }
    }

    private static Object toInt(Object v, Object defaultValue, long base) {
        if (v instanceof Undefined u) {
            throw u.error();
        }
        if (v instanceof String s) {
            String text = PyStrings.strip(s, null, true, true);
            if (base == 10 && PY_INT.matcher(text).matches()) {
                try {
                    return Long.parseLong(text.replace("_", "").replace("+", ""));
                } catch (NumberFormatException e) {
                    throw PyException.notSupported("integer " + text + " beyond 64 bits");
                }
            }
            if (base != 10) {
                try {
                    String digits = text.replace("_", "");
                    String prefix = base == 16 ? "0x" : base == 8 ? "0o" : base == 2 ? "0b" : "";
                    if (!prefix.isEmpty() && digits.toLowerCase().startsWith(prefix)) {
                        digits = digits.substring(2);
                    }
                    return Long.parseLong(digits, (int) base);
                } catch (NumberFormatException e) {
                    // falls back to float() like Jinja2, which then gives the default
                }
            }
            Double parsed = parseFloat(text);
            return parsed == null || parsed.isNaN() ? defaultValue : truncate(parsed);
        }
        if (PyValues.isInt(v)) {
            return PyValues.toLong(v);
        }
        if (v instanceof Double d) {
            return d.isNaN() ? defaultValue : truncate(d);
        }
        return defaultValue;
    }

    private static Object truncate(double d) {
        if (Double.isInfinite(d)) {
            throw new PyException("OverflowError", "cannot convert float infinity to integer");
        }
        if (Math.abs(d) >= 0x1p63) {
            throw PyException.notSupported("integer beyond 64 bits");
        }
        return (long) d;
    }

    private static Object toFloat(Object v, Object defaultValue) {
        if (v instanceof Undefined u) {
            throw u.error();
        }
        if (v instanceof String s) {
            Double parsed = parseFloat(PyStrings.strip(s, null, true, true));
            return parsed == null ? defaultValue : parsed;
        }
        if (PyValues.isNumber(v)) {
            return PyValues.toDouble(v);
        }
        return defaultValue;
    }

    /** Python's float(str), or null where it raises ValueError. */
    private static Double parseFloat(String text) {
        if (!PY_FLOAT.matcher(text).matches()) {
            return null;
        }
        String t = text.replace("_", "").toLowerCase();
        String unsigned = t.startsWith("-") || t.startsWith("+") ? t.substring(1) : t;
        double sign = t.startsWith("-") ? -1 : 1;
        if (unsigned.startsWith("inf")) {
            return sign * Double.POSITIVE_INFINITY;
        }
        if (unsigned.equals("nan")) {
            return Double.NaN;
        }
        return Double.parseDouble(t);
    }

    private static String indent(String s, Object width, boolean first, boolean blank) {
        String indentation = width instanceof String w ? w : " ".repeat((int) Math.max(0, Methods.integer(width)));
        // Jinja appends a newline so that splitlines keeps a trailing empty line
        List<Object> lines = PyStrings.splitlines(s + "\n", false);
        StringBuilder sb = new StringBuilder();
        if (blank) {
            for (int i = 0; i < lines.size(); i++) {
                sb.append(i > 0 ? "\n" + indentation : "").append(lines.get(i));
            }
        } else {
            sb.append(lines.get(0));
            for (int i = 1; i < lines.size(); i++) {
                String line = (String) lines.get(i);
                sb.append('\n').append(line.isEmpty() ? "" : indentation).append(line);
            }
        }
        return first ? indentation + sb : sb.toString();
    }

    /** transformers' tojson: json.dumps(x, ensure_ascii, indent, separators, sort_keys). */
    private static Object tojson(Object v, Object[] a) {
        String indent = null;
        if (a[1] instanceof String s) {
            indent = s;
        } else if (a[1] != null) {
            indent = " ".repeat((int) Math.max(0, Methods.integer(a[1])));
        }
        String itemSeparator = indent == null ? ", " : ",";
        String keySeparator = ": ";
        if (a[2] != null) {
            List<Object> separators = PyValues.iterate(a[2]);
            if (separators.size() != 2) {
                throw PyException.valueError("separators must be a pair of strings");
            }
            itemSeparator = Methods.string(separators.get(0));
            keySeparator = Methods.string(separators.get(1));
        }
        return Json.dumps(v, PyValues.truthy(a[0]), indent, itemSeparator, keySeparator, PyValues.truthy(a[3]));
    }

    private static PyIterator lazyMap(Iterator<Object> source, Function<Object, Object> function) {
        return new PyIterator("generator", new Iterator<>() {
            @Override
            public boolean hasNext() {
                return source.hasNext();
            }

            @Override
            public Object next() {
                return function.apply(source.next());
            }
        });
    }

    private static PyIterator lazyFilter(Iterator<Object> source, Predicate<Object> keep) {
        return new PyIterator("generator", new Iterator<>() {
            private Object pending;
            private boolean ready;

            @Override
            public boolean hasNext() {
                while (!ready && source.hasNext()) {
                    Object item = source.next();
                    if (keep.test(item)) {
                        pending = item;
                        ready = true;
                    }
                }
                return ready;
            }

            @Override
            public Object next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                ready = false;
                return pending;
            }
        });
    }
}
