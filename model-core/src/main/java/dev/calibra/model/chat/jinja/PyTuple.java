package dev.calibra.model.chat.jinja;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.RandomAccess;

/** A Python tuple: a list for iteration and indexing, but its own type for repr, equality and +. */
final class PyTuple extends AbstractList<Object> implements RandomAccess, PyObject {

    private final List<Object> items;

    PyTuple(List<?> items) {
        this.items = Collections.unmodifiableList(new ArrayList<>(items));
    }

    static PyTuple of(Object... items) {
        List<Object> list = new ArrayList<>(items.length);
        Collections.addAll(list, items);
        return new PyTuple(list);
    }

    @Override
    public Object get(int index) {
        return items.get(index);
    }

    @Override
    public int size() {
        return items.size();
    }

    @Override
    public String typeName() {
        return "tuple";
    }

    @Override
    public String repr() {
        if (items.size() == 1) {
            return "(" + PyValues.repr(items.get(0)) + ",)";
        }
        return PyValues.joinRepr("(", items, ")");
    }
}
