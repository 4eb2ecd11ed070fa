package dev.calibra.model.chat.jinja;

import java.util.Iterator;

/**
 * A one-shot Python iterator: what filters such as map, select, selectattr, items and reverse return.
 * It is truthy even when empty, has no length, and is consumed by the first iteration, as in Jinja2.
 */
final class PyIterator implements PyObject {

    private final String typeName;
    private final Iterator<Object> items;

    PyIterator(String typeName, Iterator<Object> items) {
        this.typeName = typeName;
        this.items = items;
    }

    Iterator<Object> iterator() {
        return items;
    }

    @Override
    public String typeName() {
        return typeName;
    }

    /** Python prints an address here, which no engine can reproduce. */
    @Override
    public String repr() {
        return "<" + typeName + " object>";
    }
}
