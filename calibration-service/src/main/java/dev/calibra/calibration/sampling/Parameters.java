package dev.calibra.calibration.sampling;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A strategy's parameters with every default filled in, in name order, so the recorded spec says
 * exactly what produced the tokens and two equal requests give byte-identical specs.
 */
public final class Parameters {

    private final String strategy;
    private final SortedMap<String, String> values;

    private Parameters(String strategy, SortedMap<String, String> values) {
        this.strategy = strategy;
        this.values = values;
    }

    /** Fills defaults and refuses names the strategy does not know. */
    public static Parameters resolve(String strategy, List<ParameterSpec> specs, Map<String, String> given) {
        Map<String, ParameterSpec> known = specs.stream().collect(Collectors.toMap(ParameterSpec::name, spec -> spec));
        SortedMap<String, String> values = new TreeMap<>();
        for (Map.Entry<String, String> entry : given.entrySet()) {
            if (!known.containsKey(entry.getKey())) {
                throw new IllegalArgumentException("parameter '" + entry.getKey() + "' is not a parameter of strategy "
                        + strategy + " (known: " + String.join(", ", new TreeMap<>(known).keySet()) + ")");
            }
            values.put(entry.getKey(), entry.getValue());
        }
        for (ParameterSpec spec : specs) {
            values.putIfAbsent(spec.name(), spec.defaultValue());
        }
        return new Parameters(strategy, values);
    }

    public SortedMap<String, String> asMap() {
        return Collections.unmodifiableSortedMap(values);
    }

    public String string(String name) {
        String value = values.get(name);
        if (value == null) {
            throw new IllegalArgumentException("strategy " + strategy + " needs parameter '" + name + "'");
        }
        return value;
    }

    public int integer(String name, int min, int max) {
        try {
            int value = Integer.parseInt(string(name));
            if (value < min || value > max) {
                throw new IllegalArgumentException("parameter " + name + " must be in [" + min + ", " + max + "], got " + value);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("parameter " + name + " must be an integer, got '" + string(name) + "'");
        }
    }

    /** A real number in the open-or-closed interval the caller checks; NaN is refused. */
    public double real(String name) {
        try {
            double value = Double.parseDouble(string(name));
            if (Double.isNaN(value) || Double.isInfinite(value)) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("parameter " + name + " must be a number, got '" + string(name) + "'");
        }
    }

    /** A value that must be one of {@code allowed}; anything else is refused naming them all. */
    public String oneOf(String name, String... allowed) {
        String value = string(name);
        if (!java.util.Arrays.asList(allowed).contains(value)) {
            StringBuilder choices = new StringBuilder();
            for (int i = 0; i < allowed.length; i++) {
                choices.append(i == 0 ? "" : i == allowed.length - 1 ? " or " : ", ").append('\'').append(allowed[i]).append('\'');
            }
            throw new IllegalArgumentException(name + " must be " + choices + ", got '" + value + "'");
        }
        return value;
    }

    public boolean bool(String name) {
        return switch (string(name)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("parameter " + name + " must be true or false, got '" + string(name) + "'");
        };
    }

    /** The separator parameter with the escapes \n, \t, \\ decoded, so "\n\n" can be typed on a command line. */
    public String separator(String name) {
        return string(name).replace("\\n", "\n").replace("\\t", "\t").replace("\\\\", "\\");
    }
}
