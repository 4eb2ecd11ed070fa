package dev.calibra.calibration.statistics;

/** An open-addressing set of longs (linear probing), so millions of n-gram hashes fit without boxing. */
final class LongHashSet {

    private static final long EMPTY = 0;
    private long[] slots = new long[1 << 16];
    private boolean hasZero;
    private int size;

    void add(long value) {
        if (value == EMPTY) {
            hasZero = true;
            return;
        }
        if (size * 2 >= slots.length) {
            grow();
        }
        if (insert(slots, value)) {
            size++;
        }
    }

    boolean contains(long value) {
        if (value == EMPTY) {
            return hasZero;
        }
        int mask = slots.length - 1;
        for (int i = mix(value) & mask; slots[i] != EMPTY; i = (i + 1) & mask) {
            if (slots[i] == value) {
                return true;
            }
        }
        return false;
    }

    int size() {
        return size + (hasZero ? 1 : 0);
    }

    private static boolean insert(long[] table, long value) {
        int mask = table.length - 1;
        int i = mix(value) & mask;
        while (table[i] != EMPTY) {
            if (table[i] == value) {
                return false;
            }
            i = (i + 1) & mask;
        }
        table[i] = value;
        return true;
    }

    private void grow() {
        long[] bigger = new long[slots.length * 2];
        for (long value : slots) {
            if (value != EMPTY) {
                insert(bigger, value);
            }
        }
        slots = bigger;
    }

    private static int mix(long value) {
        long z = value * 0x9E3779B97F4A7C15L;
        return (int) (z ^ (z >>> 32));
    }
}
