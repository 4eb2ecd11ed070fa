package dev.calibra.evaluation.task;

import java.util.Map;

/** "{field}" placeholders replaced by a row's fields, like lm-eval's doc_to_text templates (no other syntax). */
public final class PromptTemplate {

    private PromptTemplate() {}

    /** Renders {@code template}; a placeholder without a field is an error naming it and {@code where}. */
    public static String render(String template, Map<String, String> fields, String where) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < template.length()) {
            int open = template.indexOf('{', i);
            if (open < 0) {
                out.append(template, i, template.length());
                break;
            }
            int close = template.indexOf('}', open);
            if (close < 0) {
                throw new IllegalArgumentException(where + ": template has an unclosed '{' at character " + open);
            }
            String field = template.substring(open + 1, close);
            String value = fields.get(field);
            if (value == null) {
                throw new IllegalArgumentException(where + ": the template needs field '" + field + "', which the row lacks");
            }
            out.append(template, i, open).append(value);
            i = close + 1;
        }
        return out.toString();
    }
}
