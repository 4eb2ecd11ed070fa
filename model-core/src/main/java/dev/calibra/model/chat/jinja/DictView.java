package dev.calibra.model.chat.jinja;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.RandomAccess;

/** What dict.items(), .keys() and .values() return: iterable and sized, printed as dict_items([...]). */
final class DictView extends AbstractList<Object> implements RandomAccess, PyObject {

    private final String typeName;
    private final List<Object> items;

    DictView(String typeName, List<Object> items) {
        this.typeName = typeName;
        this.items = new ArrayList<>(items);
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
        return typeName;
    }

    @Override
    public String repr() {
        return typeName + "(" + PyValues.joinRepr("[", items, "]") + ")";
    }

    /** Views are not subscriptable in Python: d.items()[0] is an error, not an element. */
    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }
}
