package dev.calibra.model.chat.jinja;

import java.util.List;

/** The {@code loop} variable of a for loop (jinja2.runtime.LoopContext, without recursive loops). */
final class LoopContext implements PyObject {

    private static final Object NOTHING = new Object();

    private final List<Object> items;
    private int index0;
    private Object lastChanged = NOTHING;

    LoopContext(List<Object> items) {
        this.items = items;
    }

    void advanceTo(int index0) {
        this.index0 = index0;
    }

    @Override
    public Object attribute(String name) {
        int length = items.size();
        switch (name) {
            case "index":
                return (long) index0 + 1;
            case "index0":
                return (long) index0;
            case "revindex":
                return (long) (length - index0);
            case "revindex0":
                return (long) (length - index0 - 1);
            case "first":
                return index0 == 0;
            case "last":
                return index0 == length - 1;
            case "length":
                return (long) length;
            case "depth":
                return 1L;
            case "depth0":
                return 0L;
            case "previtem":
                return index0 > 0 ? items.get(index0 - 1) : Undefined.hint("there is no previous item");
            case "nextitem":
                return index0 < length - 1 ? items.get(index0 + 1) : Undefined.hint("there is no next item");
            case "cycle":
                return (PyCallable) (args, kwargs) -> {
                    if (args.isEmpty()) {
                        throw PyException.typeError("no items for cycling given");
                    }
                    return args.get(index0 % args.size());
                };
            case "changed":
                return (PyCallable) (args, kwargs) -> {
                    PyTuple value = new PyTuple(args);
                    if (lastChanged != NOTHING && PyValues.equal(lastChanged, value)) {
                        return false;
                    }
                    lastChanged = value;
                    return true;
                };
            default:
                return NO_ATTRIBUTE;
        }
    }

    @Override
    public String typeName() {
        return "LoopContext";
    }

    @Override
    public String repr() {
        return "<LoopContext " + (index0 + 1) + "/" + items.size() + ">";
    }
}
