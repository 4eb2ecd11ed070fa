package dev.calibra.model.chat.jinja;

import java.util.List;
import java.util.Map;

/** A method bound to its object ({@code 'a b'.split}), callable from a template. */
final class BoundMethod implements PyCallable, PyObject {

    private final String ownerType;
    private final String name;
    private final PyCallable body;

    BoundMethod(String ownerType, String name, PyCallable body) {
        this.ownerType = ownerType;
        this.name = name;
        this.body = body;
    }

    @Override
    public Object call(List<Object> args, Map<String, Object> kwargs) {
        return body.call(args, kwargs);
    }

    @Override
    public String typeName() {
        return "builtin_function_or_method";
    }

    /** Python adds an address, which no engine can reproduce. */
    @Override
    public String repr() {
        return "<built-in method " + name + " of " + ownerType + " object>";
    }
}
