package dev.calibra.model.chat.jinja;

/** One lexical token; STRING carries the unescaped text, numbers their source text. */
record Token(Kind kind, String value, int line) {

    enum Kind {
        DATA, VARIABLE_BEGIN, VARIABLE_END, BLOCK_BEGIN, BLOCK_END, NAME, STRING, INTEGER, FLOAT, OPERATOR, EOF
    }

    boolean isName(String name) {
        return kind == Kind.NAME && value.equals(name);
    }

    boolean isOperator(String op) {
        return kind == Kind.OPERATOR && value.equals(op);
    }

    /** How Jinja2's error messages name the token (jinja2.lexer.describe_token). */
    String describe() {
        switch (kind) {
            case NAME, OPERATOR:
                return value;
            case VARIABLE_END:
                return "end of print statement";
            case BLOCK_END:
                return "end of statement block";
            case VARIABLE_BEGIN:
                return "begin of print statement";
            case BLOCK_BEGIN:
                return "begin of statement block";
            case DATA:
                return "template data / text";
            case EOF:
                return "end of template";
            default:
                return kind.name().toLowerCase();
        }
    }
}
