package dev.calibra.model.chat.jinja;

/**
 * A Python-level error raised while evaluating (TypeError, UndefinedError, ...). It carries no line:
 * the interpreter turns it into a {@link TemplateException} at the statement that was executing.
 */
final class PyException extends RuntimeException {

    /** The Python exception class Jinja2 would raise; TemplateError is raise_exception's own. */
    final String type;

    PyException(String type, String message) {
        super(message, null, false, false);
        this.type = type;
    }

    static PyException typeError(String message) {
        return new PyException("TypeError", message);
    }

    static PyException valueError(String message) {
        return new PyException("ValueError", message);
    }

    static PyException notSupported(String message) {
        return new PyException("NotSupported", message + " (not supported by Calibra's Jinja engine)");
    }

    /** The problem as a TemplateException states it; raise_exception's message stays bare. */
    String problem() {
        return type.equals("TemplateError") ? getMessage() : type + ": " + getMessage();
    }
}
