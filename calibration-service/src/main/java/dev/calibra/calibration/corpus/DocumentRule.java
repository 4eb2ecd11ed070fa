package dev.calibra.calibration.corpus;

/**
 * How a corpus file is cut into documents. Recorded on the corpus as "blank-lines", "lines", "whole"
 * or "jsonl:&lt;field&gt;", so that a document index means the same thing on every read.
 *
 * @param kind  the cut
 * @param field the JSON field holding the text (JSONL only; empty otherwise)
 */
public record DocumentRule(Kind kind, String field) {

    public enum Kind {
        /** Documents separated by one or more blank lines (the default for text). */
        BLANK_LINES,
        /** One document per non-blank line. */
        LINES,
        /** Each file is one document. */
        WHOLE,
        /** One JSON object per line; the document is the string in {@code field}. */
        JSONL
    }

    public DocumentRule {
        if (kind == Kind.JSONL && (field == null || field.isBlank())) {
            throw new IllegalArgumentException("text_field must not be empty for a .jsonl corpus");
        }
        field = kind == Kind.JSONL ? field : "";
    }

    /** The recorded form, e.g. "blank-lines" or "jsonl:text". */
    public String label() {
        return switch (kind) {
            case BLANK_LINES -> "blank-lines";
            case LINES -> "lines";
            case WHOLE -> "whole";
            case JSONL -> "jsonl:" + field;
        };
    }

    /** Parses a recorded label back into a rule. */
    public static DocumentRule parse(String label) {
        if (label.startsWith("jsonl:")) {
            return new DocumentRule(Kind.JSONL, label.substring("jsonl:".length()));
        }
        return switch (label) {
            case "", "blank-lines" -> new DocumentRule(Kind.BLANK_LINES, "");
            case "lines" -> new DocumentRule(Kind.LINES, "");
            case "whole" -> new DocumentRule(Kind.WHOLE, "");
            default -> throw new IllegalArgumentException("document rule '" + label
                    + "' is not one of blank-lines, lines, whole, jsonl:<field>");
        };
    }

    /**
     * The rule for a source: .jsonl files (optionally gzipped) always use their text field ("text" when
     * empty); text files use {@code textRule} ("blank-lines" when empty).
     */
    public static DocumentRule forSource(boolean jsonl, String textRule, String textField) {
        if (jsonl) {
            return new DocumentRule(Kind.JSONL, textField == null || textField.isBlank() ? "text" : textField);
        }
        DocumentRule rule = parse(textRule == null ? "" : textRule);
        if (rule.kind() == Kind.JSONL) {
            throw new IllegalArgumentException("document_rule '" + textRule + "' applies to .jsonl files only");
        }
        return rule;
    }
}
