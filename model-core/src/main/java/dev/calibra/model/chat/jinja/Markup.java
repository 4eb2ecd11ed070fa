package dev.calibra.model.chat.jinja;

/**
 * markupsafe.Markup, which {@code |safe} and {@code |escape} return. Chat templates run without
 * autoescape, so it only shows where Python's str subclass does: {@code markup + text} HTML-escapes the
 * plain text (functionary's templates rely on that), and {@code ~} and output give plain text.
 */
final class Markup implements PyObject {

    private final String text;

    Markup(String text) {
        this.text = text;
    }

    String text() {
        return text;
    }

    /** markupsafe.escape: Markup stays as it is, anything else is HTML-escaped text. */
    static Markup escape(Object value) {
        return value instanceof Markup m ? m : new Markup(escapeText(PyValues.str(value)));
    }

    static String escapeText(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&':
                    sb.append("&amp;");
                    break;
                case '<':
                    sb.append("&lt;");
                    break;
                case '>':
                    sb.append("&gt;");
                    break;
                case '"':
                    sb.append("&#34;");
                    break;
                case '\'':
                    sb.append("&#39;");
                    break;
                default:
                    sb.append(c);
            }
        }
        return sb.toString();
    }

    @Override
    public String typeName() {
        return "Markup";
    }

    @Override
    public String repr() {
        return "Markup(" + PyStrings.repr(text) + ")";
    }
}
