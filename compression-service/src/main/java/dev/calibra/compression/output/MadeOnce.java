package dev.calibra.compression.output;

import java.util.function.Supplier;

/**
 * A module's packed form, made on the first of its tensors' uses and forgotten after the last: the tensors of one
 * module are written one after another, and the writer keeps its suppliers until the file is done.
 */
final class MadeOnce<T> implements Supplier<T> {

    private final int uses;
    private final Supplier<T> make;
    private T value;
    private int used;

    MadeOnce(int uses, Supplier<T> make) {
        this.uses = uses;
        this.make = make;
    }

    @Override
    public synchronized T get() {
        if (value == null) {
            value = make.get();
        }
        T current = value;
        if (++used % uses == 0) {
            value = null;
        }
        return current;
    }
}
