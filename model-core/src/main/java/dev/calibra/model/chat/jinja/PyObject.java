package dev.calibra.model.chat.jinja;

/** A value of the engine's own (Undefined, namespace, loop, macro, ...) with its Python face. */
interface PyObject {

    /** Returned by {@link #attribute} when there is no such attribute (None is a real value). */
    Object NO_ATTRIBUTE = new Object();

    /** Python's {@code type(x).__name__}, used in error messages. */
    String typeName();

    /** Python's {@code repr(x)}, which is also its {@code str(x)} for these objects. */
    String repr();

    /** The attribute {@code x.name} as Python's getattr sees it, or {@link #NO_ATTRIBUTE}. */
    default Object attribute(String name) {
        return NO_ATTRIBUTE;
    }
}
