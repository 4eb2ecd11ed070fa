package dev.calibra.model.chat.jinja;

import java.util.List;
import java.util.Map;

/** Anything a template may call: globals, macros, bound methods, loop.cycle. */
@FunctionalInterface
interface PyCallable {

    Object call(List<Object> args, Map<String, Object> kwargs);
}
