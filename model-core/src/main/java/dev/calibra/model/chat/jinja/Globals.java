package dev.calibra.model.chat.jinja;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The globals a chat template sees: Jinja2's defaults (range, dict, namespace, cycler, joiner) and
 * transformers' raise_exception. transformers' strftime_now is left out on purpose: rendering must be
 * reproducible, so templates take their fallback date, or the caller passes date_string.
 */
final class Globals {

    private Globals() {
    }

    private static final Signature RAISE = Signature.of("raise_exception", "message", Signature.REQUIRED);
    private static final Signature JOINER = Signature.of("joiner", "sep", ", ");

    static Scope scope() {
        Scope scope = new Scope(null);
        scope.set("raise_exception", (PyCallable) (args, kwargs) -> {
            throw new PyException("TemplateError", PyValues.str(RAISE.bind(args, kwargs)[0]));
        });
        scope.set("range", (PyCallable) Globals::range);
        scope.set("dict", (PyCallable) (args, kwargs) -> {
            Map<Object, Object> map = new LinkedHashMap<>(pairs("dict", args));
            map.putAll(kwargs);
            return java.util.Collections.unmodifiableMap(map);
        });
        scope.set("namespace", (PyCallable) (args, kwargs) -> {
            Namespace namespace = new Namespace();
            namespace.setAll(pairs("namespace", args));
            namespace.setAll(kwargs);
            return namespace;
        });
        scope.set("cycler", (PyCallable) (args, kwargs) -> new Cycler(args));
        scope.set("joiner", (PyCallable) (args, kwargs) -> {
            String separator = PyValues.str(JOINER.bind(args, kwargs)[0]);
            boolean[] used = {false};
            return (PyCallable) (a, k) -> {
                if (!used[0]) {
                    used[0] = true;
                    return "";
                }
                return separator;
            };
        });
        return scope;
    }

    /** dict(x) and namespace(x): a mapping, or an iterable of key-value pairs. */
    private static Map<Object, Object> pairs(String function, List<Object> args) {
        Map<Object, Object> map = new LinkedHashMap<>();
        if (args.size() > 1) {
            throw PyException.typeError(function + " expected at most 1 argument, got " + args.size());
        }
        if (args.isEmpty()) {
            return map;
        }
        if (args.get(0) instanceof Map<?, ?> source) {
            map.putAll(source);
            return map;
        }
        for (Object pair : PyValues.iterate(args.get(0))) {
            List<Object> kv = PyValues.iterate(pair);
            if (kv.size() != 2) {
                throw PyException.valueError("dictionary update sequence element has length " + kv.size()
                        + "; 2 is required");
            }
            map.put(kv.get(0), kv.get(1));
        }
        return map;
    }

    private static Object range(List<Object> args, Map<String, Object> kwargs) {
        if (!kwargs.isEmpty()) {
            throw PyException.typeError("range() takes no keyword arguments");
        }
        if (args.isEmpty() || args.size() > 3) {
            throw PyException.typeError("range expected at least 1 argument, got " + args.size());
        }
        List<Long> bounds = new ArrayList<>();
        for (Object arg : args) {
            bounds.add(Methods.integer(arg));
        }
        if (bounds.size() == 1) {
            return new PyRange(0, bounds.get(0), 1);
        }
        return new PyRange(bounds.get(0), bounds.get(1), bounds.size() == 3 ? bounds.get(2) : 1);
    }

    /** jinja2.utils.Cycler: next(), reset() and current over fixed items. */
    private static final class Cycler implements PyObject {

        private final List<Object> items;
        private int position;

        Cycler(List<Object> items) {
            if (items.isEmpty()) {
                throw PyException.typeError("at least one item has to be provided");
            }
            this.items = new ArrayList<>(items);
        }

        @Override
        public Object attribute(String name) {
            switch (name) {
                case "current":
                    return items.get(position);
                case "next":
                    return (PyCallable) (args, kwargs) -> {
                        Object value = items.get(position);
                        position = (position + 1) % items.size();
                        return value;
                    };
                case "reset":
                    return (PyCallable) (args, kwargs) -> {
                        position = 0;
                        return null;
                    };
                default:
                    return NO_ATTRIBUTE;
            }
        }

        @Override
        public String typeName() {
            return "Cycler";
        }

        @Override
        public String repr() {
            return "<jinja2.utils.Cycler object>";
        }
    }
}
