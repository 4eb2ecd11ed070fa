package dev.calibra.model.chat.jinja;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Jinja2's tests ({@code x is defined}, {@code x is string}, ...), from jinja2/tests.py. */
final class Tests {

    private Tests() {
    }

    @FunctionalInterface
    private interface Test {
        boolean test(Object value, Object[] args);
    }

    private record Entry(Signature signature, Test test) {
    }

    private static final Map<String, Entry> TESTS = new HashMap<>();

    /** Jinja2 tests this engine does not implement: an error when used, not at parse time. */
    private static final Set<String> UNSUPPORTED = Set.of();

    private static void register(Test test, String... names) {
        for (String name : names) {
            TESTS.put(name, new Entry(Signature.of(name), test));
        }
    }

    private static void register1(Test test, String... names) {
        for (String name : names) {
            TESTS.put(name, new Entry(Signature.of(name, "other", Signature.REQUIRED), test));
        }
    }

    static {
        register((v, a) -> !(v instanceof Undefined), "defined");
        register((v, a) -> v instanceof Undefined, "undefined");
        register((v, a) -> v == null, "none");
        register((v, a) -> PyValues.text(v) != null, "string");
        register((v, a) -> PyValues.isNumber(v), "number");
        register((v, a) -> v instanceof Long, "integer");
        register((v, a) -> v instanceof Double, "float");
        register((v, a) -> v instanceof Boolean, "boolean");
        register((v, a) -> Boolean.TRUE.equals(v), "true");
        register((v, a) -> Boolean.FALSE.equals(v), "false");
        register((v, a) -> v instanceof Map, "mapping");
        register((v, a) -> PyValues.isIterable(v), "iterable");
        // len() and __getitem__: str, list, tuple, range, dict and, by accident of its class, Undefined
        register((v, a) -> PyValues.text(v) != null || v instanceof Map || v instanceof Undefined
                || v instanceof List && !(v instanceof DictView), "sequence");
        register((v, a) -> PyValues.isCallable(v), "callable");
        register((v, a) -> PyValues.truthy(Operators.compare("==", Operators.binary("%", v, 2L), 1L)), "odd");
        register((v, a) -> PyValues.truthy(Operators.compare("==", Operators.binary("%", v, 2L), 0L)), "even");
        register((v, a) -> hasCase(PyValues.str(v), false), "lower");
        register((v, a) -> hasCase(PyValues.str(v), true), "upper");
        register1((v, a) -> Operators.compare("==", Operators.binary("%", v, a[0]), 0L), "divisibleby");
        register1((v, a) -> PyValues.equal(v, a[0]), "eq", "equalto", "==");
        register1((v, a) -> !PyValues.equal(v, a[0]), "ne", "!=");
        register1((v, a) -> Operators.order("<", v, a[0]), "lt", "lessthan", "<");
        register1((v, a) -> Operators.order("<=", v, a[0]), "le", "<=");
        register1((v, a) -> Operators.order(">", v, a[0]), "gt", "greaterthan", ">");
        register1((v, a) -> Operators.order(">=", v, a[0]), "ge", ">=");
        register1((v, a) -> Operators.contains(a[0], v), "in");
        register1(Tests::sameAs, "sameas");
        register((v, a) -> v instanceof Markup, "escaped");
        register((v, a) -> v instanceof String s && Filters.isKnown(s), "filter");
        register((v, a) -> v instanceof String s && isKnown(s), "test");
    }

    /** Known to Jinja2, so a template that names it compiles. */
    static boolean isKnown(String name) {
        return TESTS.containsKey(name) || UNSUPPORTED.contains(name);
    }

    static boolean apply(String name, Object value, List<Object> args, Map<String, Object> kwargs) {
        Entry entry = TESTS.get(name);
        if (entry == null) {
            if (UNSUPPORTED.contains(name)) {
                throw PyException.notSupported("test '" + name + "'");
            }
            throw new PyException("TemplateRuntimeError", "No test named " + PyValues.repr(name) + ".");
        }
        return entry.test.test(value, entry.signature.bind(args, kwargs));
    }

    /** str.islower() / isupper(): at least one cased character and none of the other case. */
    static boolean hasCase(String s, boolean upper) {
        boolean cased = false;
        for (int c : PyStrings.codePoints(s)) {
            if (upper ? Character.isLowerCase(c) || Character.isTitleCase(c)
                    : Character.isUpperCase(c) || Character.isTitleCase(c)) {
                return false;
            }
            cased |= upper ? Character.isUpperCase(c) : Character.isLowerCase(c);
        }
        return cased;
    }

    /** Python's {@code is}: singletons and small ints are shared, other values only when the very same. */
    private static boolean sameAs(Object v, Object[] a) {
        Object other = a[0];
        if (v == null || other == null) {
            return v == other;
        }
        if (v instanceof Boolean) {
            return v.equals(other);
        }
        if (v instanceof Long x && other instanceof Long y) {
            return x.equals(y) && x >= -5 && x <= 256;
        }
        return v == other;
    }
}
