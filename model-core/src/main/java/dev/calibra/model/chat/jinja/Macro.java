package dev.calibra.model.chat.jinja;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A {@code {% macro %}}: called like a function, renders its body in a fresh scope over where it was defined. */
final class Macro implements PyCallable, PyObject {

    private final Node.MacroDef definition;
    private final Scope closure;
    private final Interpreter interpreter;

    Macro(Node.MacroDef definition, Scope closure, Interpreter interpreter) {
        this.definition = definition;
        this.closure = closure;
        this.interpreter = interpreter;
    }

    @Override
    public Object call(List<Object> args, Map<String, Object> kwargs) {
        List<String> params = definition.params();
        String name = PyValues.repr(definition.name());
        if (args.size() > params.size()) {
            throw PyException.typeError("macro " + name + " takes not more than " + params.size() + " argument(s)");
        }
        Map<String, Object> remaining = new LinkedHashMap<>(kwargs);
        Scope scope = new Scope(closure);
        int firstDefault = params.size() - definition.defaults().size();
        for (int i = 0; i < params.size(); i++) {
            String param = params.get(i);
            if (i < args.size()) {
                // a keyword for a parameter already given positionally stays left over, as in Jinja2
                scope.set(param, args.get(i));
            } else if (remaining.containsKey(param)) {
                scope.set(param, remaining.remove(param));
            } else if (i >= firstDefault) {
                // defaults are evaluated per call, and may use the parameters before them
                scope.set(param, interpreter.evaluate(definition.defaults().get(i - firstDefault), scope));
            } else {
                scope.set(param, Undefined.hint("parameter " + PyValues.repr(param) + " was not provided"));
            }
        }
        if (!remaining.isEmpty()) {
            throw PyException.typeError("macro " + name + " takes no keyword argument "
                    + PyValues.repr(remaining.keySet().iterator().next()));
        }
        StringBuilder out = new StringBuilder();
        interpreter.execute(definition.body(), scope, out);
        return out.toString();
    }

    @Override
    public String typeName() {
        return "Macro";
    }

    @Override
    public String repr() {
        return "<Macro " + PyValues.repr(definition.name()) + ">";
    }
}
