package dev.calibra.contract;

import java.util.ArrayList;
import java.util.List;

/**
 * A ParameterInfo's {@code allowed} text as a predicate: alternatives separated by "|", each a number or an
 * interval with round (open) or square (closed) ends and "inf" for no bound, e.g. "-1|[1,inf)", "(0,1]",
 * "2|3|4|8". Empty allows everything (bools).
 */
final class AllowedValues {

    private record Alternative(double low, boolean lowClosed, double high, boolean highClosed) {
        boolean contains(double value) {
            return (lowClosed ? value >= low : value > low) && (highClosed ? value <= high : value < high);
        }
    }

    private final String text;
    private final List<Alternative> alternatives = new ArrayList<>();

    AllowedValues(String text) {
        this.text = text;
        if (text.isBlank()) {
            return;
        }
        for (String part : text.split("\\|")) {
            String p = part.strip();
            if (p.startsWith("(") || p.startsWith("[")) {
                String[] bounds = p.substring(1, p.length() - 1).split(",");
                if (bounds.length != 2) {
                    throw new IllegalArgumentException("allowed values '" + text + "': '" + p + "' is not an interval");
                }
                alternatives.add(new Alternative(number(bounds[0]), p.startsWith("["), number(bounds[1]), p.endsWith("]")));
            } else {
                double value = number(p);
                alternatives.add(new Alternative(value, true, value, true));
            }
        }
    }

    private static double number(String text) {
        String t = text.strip();
        return switch (t) {
            case "inf", "+inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(t);
        };
    }

    boolean allows(double value) {
        if (Double.isNaN(value)) {
            return false;
        }
        return alternatives.isEmpty() || alternatives.stream().anyMatch(alternative -> alternative.contains(value));
    }

    /** "must be 2, 3, 4 or 8", "must be in (0, 1]", "must be -1 or in [1, infinity)". */
    String requirement() {
        String[] parts = text.split("\\|");
        StringBuilder out = new StringBuilder("must be ");
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i].strip().replace(",", ", ").replace("inf", "infinity");
            out.append(i == 0 ? "" : i == parts.length - 1 ? " or " : ", ")
                    .append(part.startsWith("(") || part.startsWith("[") ? "in " + part : part);
        }
        return out.toString();
    }
}
