package dev.calibra.model.chat.jinja;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * jinja2.utils.Namespace: the one mutable object a template may create, so that a value set inside a
 * for loop is still there after the loop ({@code {% set ns.found = true %}}).
 */
final class Namespace implements PyObject {

    private final Map<Object, Object> attributes = new LinkedHashMap<>();

    void set(String name, Object value) {
        attributes.put(name, value);
    }

    void setAll(Map<?, ?> values) {
        attributes.putAll(values);
    }

    @Override
    public Object attribute(String name) {
        return attributes.containsKey(name) ? attributes.get(name) : NO_ATTRIBUTE;
    }

    @Override
    public String typeName() {
        return "Namespace";
    }

    @Override
    public String repr() {
        return "<Namespace " + PyValues.repr(attributes) + ">";
    }
}
