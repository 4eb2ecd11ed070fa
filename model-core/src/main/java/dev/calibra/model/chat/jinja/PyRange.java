package dev.calibra.model.chat.jinja;

import java.util.AbstractList;
import java.util.RandomAccess;

/** Python's range object, as the sandbox's range() returns it. */
final class PyRange extends AbstractList<Object> implements RandomAccess, PyObject {

    /** jinja2.sandbox.MAX_RANGE. */
    static final int MAX_RANGE = 100_000;

    private final long start;
    private final long stop;
    private final long step;
    private final int size;

    PyRange(long start, long stop, long step) {
        if (step == 0) {
            throw PyException.valueError("range() arg 3 must not be zero");
        }
        this.start = start;
        this.stop = stop;
        this.step = step;
        long n = step > 0 ? ceilDiv(stop - start, step) : ceilDiv(start - stop, -step);
        if (n > MAX_RANGE) {
            throw new PyException("OverflowError",
                    "Range too big. The sandbox blocks ranges larger than MAX_RANGE (" + MAX_RANGE + ").");
        }
        this.size = (int) Math.max(0, n);
    }

    private static long ceilDiv(long a, long b) {
        return a <= 0 ? 0 : (a + b - 1) / b;
    }

    @Override
    public Object get(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException(index);
        }
        return start + index * step;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public String typeName() {
        return "range";
    }

    @Override
    public String repr() {
        return "range(" + start + ", " + stop + (step == 1 ? "" : ", " + step) + ")";
    }
}
