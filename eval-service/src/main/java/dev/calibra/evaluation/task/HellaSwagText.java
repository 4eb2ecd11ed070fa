package dev.calibra.evaluation.task;

import java.util.regex.Pattern;

/** lm-evaluation-harness's HellaSwag preprocessing (tasks/hellaswag/utils.py), rewritten in Java. */
public final class HellaSwagText {

    // WikiHow rows carry bracketed markers such as "[header]"; lm-eval drops them
    private static final Pattern BRACKETED = Pattern.compile("\\[.*?\\]");

    private HellaSwagText() {}

    /** utils.preprocess: strip, " [title]" -> ". ", drop [..], collapse one double space. */
    public static String preprocess(String text) {
        String out = text.strip();
        out = out.replace(" [title]", ". ");
        out = BRACKETED.matcher(out).replaceAll("");
        return out.replace("  ", " ");
    }

    /** utils._process_doc's query: activity_label + ": " + ctx_a + " " + ctx_b.capitalize(). */
    public static String query(String activityLabel, String ctxA, String ctxB) {
        return preprocess(activityLabel + ": " + ctxA + " " + capitalize(ctxB));
    }

    /** Python's str.capitalize: first character upper case, the rest lower case. */
    static String capitalize(String text) {
        if (text.isEmpty()) {
            return text;
        }
        int first = text.codePointAt(0);
        int width = Character.charCount(first);
        return new StringBuilder().appendCodePoint(Character.toTitleCase(first))
                .append(text.substring(width).toLowerCase(java.util.Locale.ROOT)).toString();
    }
}
