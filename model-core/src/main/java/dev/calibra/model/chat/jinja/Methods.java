package dev.calibra.model.chat.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Python methods templates call on str, dict, list and tuple. Methods that modify their object are
 * refused as ImmutableSandboxedEnvironment refuses them; other real Python methods that the engine
 * does not implement fail when called, naming the method.
 */
final class Methods {

    private Methods() {
    }

    private static final Set<String> STR_METHODS = Set.of("capitalize", "casefold", "center", "count", "encode",
            "endswith", "expandtabs", "find", "format", "format_map", "index", "isalnum", "isalpha", "isascii",
            "isdecimal", "isdigit", "isidentifier", "islower", "isnumeric", "isprintable", "isspace", "istitle",
            "isupper", "join", "ljust", "lower", "lstrip", "maketrans", "partition", "removeprefix",
            "removesuffix", "replace", "rfind", "rindex", "rjust", "rpartition", "rsplit", "rstrip", "split",
            "splitlines", "startswith", "strip", "swapcase", "title", "translate", "upper", "zfill");
    private static final Set<String> DICT_METHODS = Set.of("clear", "copy", "fromkeys", "get", "items", "keys",
            "pop", "popitem", "setdefault", "update", "values");
    /** jinja2.sandbox._mutable_spec. */
    private static final Set<String> DICT_MUTATORS = Set.of("clear", "pop", "popitem", "setdefault", "update");
    private static final Set<String> LIST_METHODS = Set.of("append", "clear", "copy", "count", "extend", "index",
            "insert", "pop", "remove", "reverse", "sort");
    private static final Set<String> TUPLE_METHODS = Set.of("count", "index");
    private static final Set<String> LIST_MUTATORS = Set.of("append", "clear", "pop", "reverse", "insert", "sort",
            "extend", "remove");

    private static final Signature STRIP = Signature.of("strip", "chars", null);
    private static final Signature AFFIX = Signature.of("startswith", "prefix", Signature.REQUIRED, "start", null,
            "end", null);
    private static final Signature SPLIT = Signature.of("split", "sep", null, "maxsplit", -1L);
    private static final Signature SPLITLINES = Signature.of("splitlines", "keepends", false);
    private static final Signature REPLACE = Signature.of("replace", "old", Signature.REQUIRED, "new",
            Signature.REQUIRED, "count", -1L);
    private static final Signature FIND = Signature.of("find", "sub", Signature.REQUIRED, "start", null, "end",
            null);
    private static final Signature ONE = Signature.of("method", "value", Signature.REQUIRED);
    private static final Signature PAD = Signature.of("center", "width", Signature.REQUIRED, "fillchar", " ");
    private static final Signature NONE = Signature.of("method");
    private static final Signature GET = Signature.of("get", "key", Signature.REQUIRED, "default", null);

    static Object ofStr(String s, String name) {
        if (!STR_METHODS.contains(name)) {
            return PyObject.NO_ATTRIBUTE;
        }
        return new BoundMethod("str", name, (args, kwargs) -> callStr(s, name, args, kwargs));
    }

    private static Object callStr(String s, String name, List<Object> args, Map<String, Object> kwargs) {
        switch (name) {
            case "strip":
            case "lstrip":
            case "rstrip": {
                Object chars = STRIP.bind(args, kwargs)[0];
                if (chars != null && !(chars instanceof String)) {
                    throw PyException.typeError(name + " arg must be None or str");
                }
                return PyStrings.strip(s, chars, !name.equals("rstrip"), !name.equals("lstrip"));
            }
            case "startswith":
            case "endswith": {
                Object[] a = AFFIX.bind(args, kwargs);
                String text = substring(s, a[1], a[2]);
                List<Object> affixes = a[0] instanceof PyTuple t ? t : List.of(a[0]);
                for (Object affix : affixes) {
                    if (!(affix instanceof String x)) {
                        throw PyException.typeError(name + " first arg must be str or a tuple of str, not "
                                + PyValues.typeName(affix));
                    }
                    if (name.equals("startswith") ? text.startsWith(x) : text.endsWith(x)) {
                        return true;
                    }
                }
                return false;
            }
            case "split":
            case "rsplit": {
                Object[] a = SPLIT.bind(args, kwargs);
                long maxsplit = integer(a[1]);
                return PyValues.list(name.equals("split") ? PyStrings.split(s, a[0], maxsplit)
                        : PyStrings.rsplit(s, a[0], maxsplit));
            }
            case "splitlines":
                return PyValues.list(PyStrings.splitlines(s, PyValues.truthy(SPLITLINES.bind(args, kwargs)[0])));
            case "upper":
                NONE.bind(args, kwargs);
                return PyStrings.upper(s);
            case "lower":
            case "casefold":
                NONE.bind(args, kwargs);
                return PyStrings.lower(s);
            case "title":
                NONE.bind(args, kwargs);
                return PyStrings.title(s);
            case "capitalize":
                NONE.bind(args, kwargs);
                return PyStrings.capitalize(s);
            case "swapcase":
                NONE.bind(args, kwargs);
                return PyStrings.swapcase(s);
            case "replace": {
                Object[] a = REPLACE.bind(args, kwargs);
                return PyStrings.replace(s, string(a[0]), string(a[1]), integer(a[2]));
            }
            case "find":
            case "rfind":
            case "index":
            case "rindex": {
                Object[] a = FIND.bind(args, kwargs);
                int from = a[1] == null ? 0 : bound(s, a[1]);
                String text = substring(s, a[1], a[2]);
                String sub = string(a[0]);
                int at = name.charAt(0) == 'r' ? text.lastIndexOf(sub) : text.indexOf(sub);
                if (at < 0) {
                    if (name.endsWith("index")) {
                        throw PyException.valueError("substring not found");
                    }
                    return -1L;
                }
                return (long) from + PyStrings.codePointIndex(text, at);
            }
            case "count": {
                Object[] a = FIND.bind(args, kwargs);
                return PyStrings.count(substring(s, a[1], a[2]), string(a[0]));
            }
            case "join": {
                List<Object> items = PyValues.iterate(ONE.bind(args, kwargs)[0]);
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < items.size(); i++) {
                    if (!(items.get(i) instanceof String item)) {
                        throw PyException.typeError("sequence item " + i + ": expected str instance, "
                                + PyValues.typeName(items.get(i)) + " found");
                    }
                    sb.append(i > 0 ? s : "").append(item);
                }
                return sb.toString();
            }
            case "center":
            case "ljust":
            case "rjust": {
                Object[] a = PAD.bind(args, kwargs);
                return PyStrings.pad(s, integer(a[0]), string(a[1]), name.charAt(0));
            }
            case "zfill": {
                long width = integer(ONE.bind(args, kwargs)[0]);
                boolean signed = s.startsWith("-") || s.startsWith("+");
                String digits = signed ? s.substring(1) : s;
                return (signed ? s.substring(0, 1) : "") + PyStrings.pad(digits, width - (signed ? 1 : 0), "0", 'r');
            }
            case "removeprefix": {
                String prefix = string(ONE.bind(args, kwargs)[0]);
                return s.startsWith(prefix) ? s.substring(prefix.length()) : s;
            }
            case "removesuffix": {
                String suffix = string(ONE.bind(args, kwargs)[0]);
                return s.endsWith(suffix) && !suffix.isEmpty() ? s.substring(0, s.length() - suffix.length()) : s;
            }
            case "partition":
            case "rpartition": {
                String sep = string(ONE.bind(args, kwargs)[0]);
                if (sep.isEmpty()) {
                    throw PyException.valueError("empty separator");
                }
                int at = name.equals("partition") ? s.indexOf(sep) : s.lastIndexOf(sep);
                if (at < 0) {
                    return name.equals("partition") ? PyTuple.of(s, "", "") : PyTuple.of("", "", s);
                }
                return PyTuple.of(s.substring(0, at), sep, s.substring(at + sep.length()));
            }
            case "isdigit":
            case "isdecimal":
            case "isnumeric":
                NONE.bind(args, kwargs);
                return !s.isEmpty() && s.codePoints().allMatch(Character::isDigit);
            case "isalpha":
                NONE.bind(args, kwargs);
                return !s.isEmpty() && s.codePoints().allMatch(Character::isLetter);
            case "isalnum":
                NONE.bind(args, kwargs);
                return !s.isEmpty() && s.codePoints().allMatch(Character::isLetterOrDigit);
            case "isspace":
                NONE.bind(args, kwargs);
                return !s.isEmpty() && s.codePoints().allMatch(PyStrings::isSpace);
            case "isupper":
            case "islower":
                NONE.bind(args, kwargs);
                return Tests.hasCase(s, name.equals("isupper"));
            default:
                throw PyException.notSupported("str." + name + "()");
        }
    }

    static Object ofDict(Map<?, ?> map, String name) {
        if (!DICT_METHODS.contains(name)) {
            return PyObject.NO_ATTRIBUTE;
        }
        if (DICT_MUTATORS.contains(name)) {
            return Undefined.unsafe(map, name);
        }
        return new BoundMethod("dict", name, (args, kwargs) -> {
            switch (name) {
                case "items": {
                    NONE.bind(args, kwargs);
                    List<Object> items = new ArrayList<>();
                    map.forEach((k, v) -> items.add(PyTuple.of(k, v)));
                    return new DictView("dict_items", items);
                }
                case "keys":
                    NONE.bind(args, kwargs);
                    return new DictView("dict_keys", new ArrayList<>(map.keySet()));
                case "values":
                    NONE.bind(args, kwargs);
                    return new DictView("dict_values", new ArrayList<>(map.values()));
                case "get": {
                    Object[] a = GET.bind(args, kwargs);
                    Object value = PyValues.mapGet(map, a[0]);
                    return value == PyValues.ABSENT ? a[1] : value;
                }
                case "copy":
                    NONE.bind(args, kwargs);
                    return map;
                default:
                    throw PyException.notSupported("dict." + name + "()");
            }
        });
    }

    static Object ofSequence(List<?> list, String name, boolean mutable) {
        if (!(mutable ? LIST_METHODS : TUPLE_METHODS).contains(name)) {
            return PyObject.NO_ATTRIBUTE;
        }
        if (LIST_MUTATORS.contains(name)) {
            return Undefined.unsafe(list, name);
        }
        return new BoundMethod(mutable ? "list" : "tuple", name, (args, kwargs) -> {
            switch (name) {
                case "count": {
                    Object value = ONE.bind(args, kwargs)[0];
                    return list.stream().filter(x -> PyValues.equal(x, value)).count();
                }
                case "index": {
                    Object value = ONE.bind(args, kwargs)[0];
                    for (int i = 0; i < list.size(); i++) {
                        if (PyValues.equal(list.get(i), value)) {
                            return (long) i;
                        }
                    }
                    throw PyException.valueError(PyValues.repr(value) + " is not in list");
                }
                case "copy":
                    NONE.bind(args, kwargs);
                    return PyValues.list(new ArrayList<>(list));
                default:
                    throw PyException.notSupported("list." + name + "()");
            }
        });
    }

    static String string(Object v) {
        String s = PyValues.text(v);
        if (s == null) {
            throw PyException.typeError("must be str, not " + PyValues.typeName(v));
        }
        return s;
    }

    static long integer(Object v) {
        if (!PyValues.isInt(v)) {
            throw PyException.typeError("'" + PyValues.typeName(v) + "' object cannot be interpreted as an integer");
        }
        return PyValues.toLong(v);
    }

    /** A start or end argument of find/startswith, clamped like Python's slice indices. */
    private static int bound(String s, Object index) {
        int n = PyStrings.length(s);
        long i = integer(index);
        if (i < 0) {
            i = Math.max(0, i + n);
        }
        return (int) Math.min(i, n);
    }

    private static String substring(String s, Object start, Object end) {
        if (start == null && end == null) {
            return s;
        }
        int from = start == null ? 0 : bound(s, start);
        int to = end == null ? PyStrings.length(s) : bound(s, end);
        if (to <= from) {
            return "";
        }
        return s.substring(PyStrings.offset(s, from), PyStrings.offset(s, to));
    }
}
