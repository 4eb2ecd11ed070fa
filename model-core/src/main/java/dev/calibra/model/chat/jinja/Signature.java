package dev.calibra.model.chat.jinja;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Binds positional and keyword arguments to parameter names the way a Python call does. */
final class Signature {

    /** Default of a parameter that must be given. */
    static final Object REQUIRED = new Object();

    private final String function;
    private final String[] names;
    private final Object[] defaults;

    private Signature(String function, String[] names, Object[] defaults) {
        this.function = function;
        this.names = names;
        this.defaults = defaults;
    }

    /** {@code of("replace", "old", REQUIRED, "new", REQUIRED, "count", null)}: names alternating with defaults. */
    static Signature of(String function, Object... namesAndDefaults) {
        int n = namesAndDefaults.length / 2;
        String[] names = new String[n];
        Object[] defaults = new Object[n];
        for (int i = 0; i < n; i++) {
            names[i] = (String) namesAndDefaults[2 * i];
            defaults[i] = namesAndDefaults[2 * i + 1];
        }
        return new Signature(function, names, defaults);
    }

    Object[] bind(List<Object> args, Map<String, Object> kwargs) {
        if (args.size() > names.length) {
            throw PyException.typeError(function + "() takes at most " + names.length + " argument"
                    + (names.length == 1 ? "" : "s") + " (" + args.size() + " given)");
        }
        Object[] values = Arrays.copyOf(defaults, names.length);
        boolean[] given = new boolean[names.length];
        for (int i = 0; i < args.size(); i++) {
            values[i] = args.get(i);
            given[i] = true;
        }
        for (Map.Entry<String, Object> kw : kwargs.entrySet()) {
            int i = Arrays.asList(names).indexOf(kw.getKey());
            if (i < 0) {
                throw PyException.typeError(function + "() got an unexpected keyword argument '" + kw.getKey() + "'");
            }
            if (given[i]) {
                throw PyException.typeError(function + "() got multiple values for argument '" + kw.getKey() + "'");
            }
            values[i] = kw.getValue();
            given[i] = true;
        }
        for (int i = 0; i < names.length; i++) {
            if (values[i] == REQUIRED) {
                throw PyException.typeError(function + "() missing required argument '" + names[i] + "'");
            }
        }
        return values;
    }
}
