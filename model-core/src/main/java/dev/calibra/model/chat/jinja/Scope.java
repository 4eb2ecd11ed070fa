package dev.calibra.model.chat.jinja;

import java.util.HashMap;
import java.util.Map;

/**
 * Variables of one Jinja frame. A for-loop iteration, a macro call and a block body each get a child
 * scope, so a {@code set} there does not leak out; an if has none, so a {@code set} there does.
 */
final class Scope {

    private static final Object ABSENT = new Object();

    private final Scope parent;
    private final Map<String, Object> variables = new HashMap<>();

    Scope(Scope parent) {
        this.parent = parent;
    }

    /** The variable's value, or Undefined when no enclosing scope has it. */
    Object lookup(String name) {
        for (Scope scope = this; scope != null; scope = scope.parent) {
            Object value = scope.variables.getOrDefault(name, ABSENT);
            if (value != ABSENT) {
                return value;
            }
        }
        return Undefined.name(name);
    }

    void set(String name, Object value) {
        variables.put(name, value);
    }
}
