package dev.calibra.calibration.corpus;

/**
 * How a corpus file is cut into documents. Recorded on the corpus as "blank-lines", "lines", "whole",
 * "jsonl:&lt;field&gt;" or "chat:&lt;field&gt;", so that a document index means the same thing on every read.
 *
 * @param kind  the cut
 * @param field the JSON field holding the text (JSONL) or the conversation (CHAT); empty otherwise
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
        JSONL,
        /**
         * One JSON object per line whose {@code field} is a conversation: a list of messages with a role and
         * a content. Read as text, the document is the contents joined by blank lines (no roles, no template);
         * the chat strategy renders the messages with the model's chat template instead.
         */
        CHAT
    }

    /** The conversation field of a chat corpus unless the rule names another ("chat:conversation"). */
    public static final String DEFAULT_CHAT_FIELD = "messages";

    public DocumentRule {
        boolean json = kind == Kind.JSONL || kind == Kind.CHAT;
        if (json && (field == null || field.isBlank())) {
            throw new IllegalArgumentException((kind == Kind.CHAT ? "the conversation field" : "text_field")
                    + " must not be empty for a .jsonl corpus");
        }
        field = json ? field : "";
    }

    /** The recorded form, e.g. "blank-lines" or "jsonl:text". */
    public String label() {
        return switch (kind) {
            case BLANK_LINES -> "blank-lines";
            case LINES -> "lines";
            case WHOLE -> "whole";
            case JSONL -> "jsonl:" + field;
            case CHAT -> "chat:" + field;
        };
    }

    /** Parses a recorded label back into a rule. */
    public static DocumentRule parse(String label) {
        if (label.startsWith("jsonl:")) {
            return new DocumentRule(Kind.JSONL, label.substring("jsonl:".length()));
        }
        if (label.equals("chat")) {
            return new DocumentRule(Kind.CHAT, DEFAULT_CHAT_FIELD);
        }
        if (label.startsWith("chat:")) {
            return new DocumentRule(Kind.CHAT, label.substring("chat:".length()));
        }
        return switch (label) {
            case "", "blank-lines" -> new DocumentRule(Kind.BLANK_LINES, "");
            case "lines" -> new DocumentRule(Kind.LINES, "");
            case "whole" -> new DocumentRule(Kind.WHOLE, "");
            default -> throw new IllegalArgumentException("document rule '" + label
                    + "' is not one of blank-lines, lines, whole, jsonl:<field>, chat, chat:<field>");
        };
    }

    /**
     * The rule for a source: .jsonl files (optionally gzipped) hold conversations under "chat" or
     * "chat:&lt;field&gt;" and otherwise use their text field ("text" when empty); text files use
     * {@code textRule} ("blank-lines" when empty).
     */
    public static DocumentRule forSource(boolean jsonl, String textRule, String textField) {
        String given = textRule == null ? "" : textRule;
        boolean chat = given.equals("chat") || given.startsWith("chat:");
        if (jsonl) {
            return chat ? parse(given)
                    : new DocumentRule(Kind.JSONL, textField == null || textField.isBlank() ? "text" : textField);
        }
        DocumentRule rule = parse(given);
        if (rule.kind() == Kind.JSONL || rule.kind() == Kind.CHAT) {
            throw new IllegalArgumentException("document_rule '" + textRule + "' applies to .jsonl files only");
        }
        return rule;
    }
}
