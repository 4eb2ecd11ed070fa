package dev.calibra.model.chat.jinja;

/**
 * Jinja2's default {@code Undefined} (not StrictUndefined): prints as "", is false, has length 0 and
 * iterates as empty, equals only another Undefined, but raises on arithmetic, ordering, calls and on
 * attribute or item access, with the message Jinja2 gives.
 */
final class Undefined implements PyObject {

    private final String message;
    private final String errorType;

    private Undefined(String message, String errorType) {
        this.message = message;
        this.errorType = errorType;
    }

    /** A variable that is not defined. */
    static Undefined name(String name) {
        return new Undefined(PyValues.repr(name) + " is undefined", "UndefinedError");
    }

    /** {@code owner.key} or {@code owner[key]} that does not exist. */
    static Undefined member(Object owner, Object key) {
        String owning = objectTypeRepr(owner);
        if (key instanceof String) {
            return new Undefined(PyValues.repr(owning) + " has no attribute " + PyValues.repr(key), "UndefinedError");
        }
        return new Undefined(owning + " has no element " + PyValues.repr(key), "UndefinedError");
    }

    /** An undefined value that explains itself (Jinja's undefined hint). */
    static Undefined hint(String message) {
        return new Undefined(message, "UndefinedError");
    }

    /** What the immutable sandbox returns for a method that would modify its object. */
    static Undefined unsafe(Object owner, String attribute) {
        return new Undefined("access to attribute " + PyValues.repr(attribute) + " of "
                + PyValues.repr(PyValues.typeName(owner)) + " object is unsafe.", "SecurityError");
    }

    PyException error() {
        return new PyException(errorType, message);
    }

    @Override
    public String typeName() {
        return "Undefined";
    }

    @Override
    public String repr() {
        return "Undefined";
    }

    /** jinja2.utils.object_type_repr. */
    private static String objectTypeRepr(Object owner) {
        if (owner == null) {
            return "None";
        }
        if (owner instanceof Namespace) {
            return "jinja2.utils.Namespace object";
        }
        if (owner instanceof LoopContext) {
            return "jinja2.runtime.LoopContext object";
        }
        if (owner instanceof Macro) {
            return "jinja2.runtime.Macro object";
        }
        return PyValues.typeName(owner) + " object";
    }
}
