package dev.calibra.model.chat.jinja;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Python's binary and unary operators, comparisons and the in operator, with Python's error messages. */
final class Operators {

    private Operators() {
    }

    /** Undefined raises as soon as it takes part in arithmetic or ordering. */
    private static void rejectUndefined(Object a, Object b) {
        if (a instanceof Undefined u) {
            throw u.error();
        }
        if (b instanceof Undefined u) {
            throw u.error();
        }
    }

    private static PyException unsupported(String op, Object a, Object b) {
        return PyException.typeError("unsupported operand type(s) for " + op + ": '" + PyValues.typeName(a)
                + "' and '" + PyValues.typeName(b) + "'");
    }

    static Object binary(String op, Object a, Object b) {
        rejectUndefined(a, b);
        switch (op) {
            case "+":
                return add(a, b);
            case "-":
                if (PyValues.isNumber(a) && PyValues.isNumber(b)) {
                    return bothInts(a, b) ? (Object) exact(() -> Math.subtractExact(PyValues.toLong(a), PyValues.toLong(b)))
                            : (Object) (PyValues.toDouble(a) - PyValues.toDouble(b));
                }
                throw unsupported(op, a, b);
            case "*":
                return multiply(a, b);
            case "/":
                if (PyValues.isNumber(a) && PyValues.isNumber(b)) {
                    double divisor = PyValues.toDouble(b);
                    if (divisor == 0) {
                        throw new PyException("ZeroDivisionError", "division by zero");
                    }
                    return PyValues.toDouble(a) / divisor;
                }
                throw unsupported(op, a, b);
            case "//":
                return floorDivide(a, b);
            case "%":
                return modulo(a, b);
            case "**":
                return power(a, b);
            default:
                throw new IllegalArgumentException(op);
        }
    }

    private static boolean bothInts(Object a, Object b) {
        return PyValues.isInt(a) && PyValues.isInt(b);
    }

    private interface LongOp {
        long apply();
    }

    private static Long exact(LongOp op) {
        try {
            return op.apply();
        } catch (ArithmeticException e) {
            throw PyException.notSupported("integer result beyond 64 bits");
        }
    }

    private static Object add(Object a, Object b) {
        if ((a instanceof Markup || b instanceof Markup) && PyValues.text(a) != null && PyValues.text(b) != null) {
            // Markup escapes the plain text it is joined with
            return new Markup(Markup.escape(a).text() + Markup.escape(b).text());
        }
        if (PyValues.isNumber(a) && PyValues.isNumber(b)) {
            return bothInts(a, b) ? (Object) exact(() -> Math.addExact(PyValues.toLong(a), PyValues.toLong(b)))
                    : (Object) (PyValues.toDouble(a) + PyValues.toDouble(b));
        }
        if (a instanceof String x && b instanceof String y) {
            Limits.requireLength((long) x.length() + y.length());
            return x + y;
        }
        if (a instanceof String) {
            throw PyException.typeError("can only concatenate str (not \"" + PyValues.typeName(b) + "\") to str");
        }
        if (PyValues.isPlainList(a) || a instanceof PyTuple) {
            if (!PyValues.sameSequenceType(a, b)) {
                String type = PyValues.typeName(a);
                throw PyException.typeError("can only concatenate " + type + " (not \"" + PyValues.typeName(b)
                        + "\") to " + type);
            }
            Limits.requireLength((long) ((List<?>) a).size() + ((List<?>) b).size());
            List<Object> joined = new ArrayList<>((List<?>) a);
            joined.addAll((List<?>) b);
            return a instanceof PyTuple ? new PyTuple(joined) : PyValues.list(joined);
        }
        throw unsupported("+", a, b);
    }

    private static Object multiply(Object a, Object b) {
        if (PyValues.isNumber(a) && PyValues.isNumber(b)) {
            return bothInts(a, b) ? (Object) exact(() -> Math.multiplyExact(PyValues.toLong(a), PyValues.toLong(b)))
                    : (Object) (PyValues.toDouble(a) * PyValues.toDouble(b));
        }
        if (a instanceof Markup m && PyValues.isInt(b)) {
            return new Markup((String) repeat(m.text(), PyValues.toLong(b)));
        }
        if (PyValues.isInt(b) && (a instanceof String || PyValues.isPlainList(a) || a instanceof PyTuple)) {
            return repeat(a, PyValues.toLong(b));
        }
        if (PyValues.isInt(a) && (b instanceof String || PyValues.isPlainList(b) || b instanceof PyTuple)) {
            return repeat(b, PyValues.toLong(a));
        }
        if (a instanceof String || b instanceof String) {
            throw PyException.typeError("can't multiply sequence by non-int of type '"
                    + PyValues.typeName(a instanceof String ? b : a) + "'");
        }
        throw unsupported("*", a, b);
    }

    private static Object repeat(Object sequence, long times) {
        long length = sequence instanceof String s ? s.length() : ((List<?>) sequence).size();
        if (times > 0 && length > 0) {
            Limits.requireLength(times > Limits.MAX_LENGTH ? Long.MAX_VALUE : times * length);
        }
        if (sequence instanceof String s) {
            return times <= 0 ? "" : s.repeat((int) times);
        }
        List<Object> out = new ArrayList<>();
        for (long i = 0; i < times; i++) {
            out.addAll((List<?>) sequence);
        }
        return sequence instanceof PyTuple ? new PyTuple(out) : PyValues.list(out);
    }

    private static Object floorDivide(Object a, Object b) {
        if (!PyValues.isNumber(a) || !PyValues.isNumber(b)) {
            throw unsupported("//", a, b);
        }
        if (bothInts(a, b)) {
            long divisor = PyValues.toLong(b);
            if (divisor == 0) {
                throw new PyException("ZeroDivisionError", "integer division or modulo by zero");
            }
            return Math.floorDiv(PyValues.toLong(a), divisor);
        }
        double divisor = PyValues.toDouble(b);
        if (divisor == 0) {
            throw new PyException("ZeroDivisionError", "float floor division by zero");
        }
        return Math.floor(PyValues.toDouble(a) / divisor);
    }

    private static Object modulo(Object a, Object b) {
        if (a instanceof String) {
            throw PyException.notSupported("printf-style formatting with % on a string");
        }
        if (!PyValues.isNumber(a) || !PyValues.isNumber(b)) {
            throw unsupported("%", a, b);
        }
        if (bothInts(a, b)) {
            long divisor = PyValues.toLong(b);
            if (divisor == 0) {
                throw new PyException("ZeroDivisionError", "integer modulo by zero");
            }
            return Math.floorMod(PyValues.toLong(a), divisor);
        }
        double x = PyValues.toDouble(a);
        double y = PyValues.toDouble(b);
        if (y == 0) {
            throw new PyException("ZeroDivisionError", "float modulo");
        }
        double r = x % y;
        // Python's result takes the sign of the divisor
        if (r != 0 && (r < 0) != (y < 0)) {
            r += y;
        }
        return r;
    }

    private static Object power(Object a, Object b) {
        if (!PyValues.isNumber(a) || !PyValues.isNumber(b)) {
            throw unsupported("** or pow()", a, b);
        }
        if (bothInts(a, b) && PyValues.toLong(b) >= 0) {
            long base = PyValues.toLong(a);
            if (base == -1) {
                return PyValues.toLong(b) % 2 == 0 ? 1L : -1L;
            }
            long result = 1;
            for (long i = PyValues.toLong(b); i > 0; i--) {
                long r = result;
                result = exact(() -> Math.multiplyExact(r, base));
                if (result == 0 || result == 1 && base == 1) {
                    break;
                }
            }
            return result;
        }
        double base = PyValues.toDouble(a);
        double exponent = PyValues.toDouble(b);
        if (base == 0 && exponent < 0) {
            throw new PyException("ZeroDivisionError", "0.0 cannot be raised to a negative power");
        }
        return Math.pow(base, exponent);
    }

    static Object negate(Object v) {
        if (v instanceof Undefined u) {
            throw u.error();
        }
        if (PyValues.isInt(v)) {
            return exact(() -> Math.negateExact(PyValues.toLong(v)));
        }
        if (v instanceof Double d) {
            return -d;
        }
        throw PyException.typeError("bad operand type for unary -: '" + PyValues.typeName(v) + "'");
    }

    static Object plus(Object v) {
        if (v instanceof Undefined u) {
            throw u.error();
        }
        if (PyValues.isInt(v)) {
            return PyValues.toLong(v);
        }
        if (v instanceof Double) {
            return v;
        }
        throw PyException.typeError("bad operand type for unary +: '" + PyValues.typeName(v) + "'");
    }

    /** One comparison of a (possibly chained) Compare: ==, !=, <, <=, >, >=, in, notin. */
    static boolean compare(String op, Object a, Object b) {
        switch (op) {
            case "==":
                return PyValues.equal(a, b);
            case "!=":
                return !PyValues.equal(a, b);
            case "in":
                return contains(b, a);
            case "notin":
                return !contains(b, a);
            default:
                return order(op, a, b);
        }
    }

    /** Python's {@code <, <=, >, >=}. */
    static boolean order(String op, Object a, Object b) {
        rejectUndefined(a, b);
        int c;
        if (PyValues.isNumber(a) && PyValues.isNumber(b)) {
            if (bothInts(a, b)) {
                c = Long.compare(PyValues.toLong(a), PyValues.toLong(b));
            } else {
                double x = PyValues.toDouble(a);
                double y = PyValues.toDouble(b);
                if (Double.isNaN(x) || Double.isNaN(y)) {
                    return false;
                }
                c = x < y ? -1 : x > y ? 1 : 0;
            }
        } else if (PyValues.text(a) != null && PyValues.text(b) != null) {
            c = PyStrings.compare(PyValues.text(a), PyValues.text(b));
        } else if ((PyValues.isPlainList(a) || a instanceof PyTuple) && PyValues.sameSequenceType(a, b)) {
            List<?> x = (List<?>) a;
            List<?> y = (List<?>) b;
            int n = Math.min(x.size(), y.size());
            for (int i = 0; i < n; i++) {
                if (!PyValues.equal(x.get(i), y.get(i))) {
                    return order(op, x.get(i), y.get(i));
                }
            }
            c = Integer.compare(x.size(), y.size());
        } else {
            throw PyException.typeError("'" + op + "' not supported between instances of '" + PyValues.typeName(a)
                    + "' and '" + PyValues.typeName(b) + "'");
        }
        switch (op) {
            case "<":
                return c < 0;
            case "<=":
                return c <= 0;
            case ">":
                return c > 0;
            default:
                return c >= 0;
        }
    }

    /** A comparator from Python's {@code <}, for sorted(), min() and max(). */
    static int sortOrder(Object a, Object b) {
        if (order("<", a, b)) {
            return -1;
        }
        return order("<", b, a) ? 1 : 0;
    }

    /** {@code item in container}. */
    static boolean contains(Object container, Object item) {
        if (PyValues.text(container) != null) {
            if (PyValues.text(item) == null) {
                throw PyException.typeError("'in <string>' requires string as left operand, not "
                        + PyValues.typeName(item));
            }
            return PyValues.text(container).contains(PyValues.text(item));
        }
        if (container instanceof Map<?, ?> map) {
            return PyValues.mapGet(map, item) != PyValues.ABSENT;
        }
        if (container instanceof Undefined) {
            return false;
        }
        if (container instanceof List<?> || container instanceof PyIterator) {
            Iterator<Object> items = PyValues.iterator(container);
            while (items.hasNext()) {
                if (PyValues.equal(items.next(), item)) {
                    return true;
                }
            }
            return false;
        }
        throw PyException.typeError("argument of type '" + PyValues.typeName(container) + "' is not iterable");
    }
}
