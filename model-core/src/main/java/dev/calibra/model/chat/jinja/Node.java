package dev.calibra.model.chat.jinja;

import java.util.List;

/** Statement nodes of a parsed template. */
sealed interface Node {

    int line();

    /** An assignment target: a name, a tuple of targets, or a namespace attribute. */
    sealed interface Target {
    }

    record NameTarget(String name) implements Target {
    }

    record TupleTarget(List<Target> items) implements Target {
    }

    /** {@code ns.attr}: only valid on a namespace() object. */
    record NamespaceTarget(String namespace, String attribute) implements Target {
    }

    record Text(String text, int line) implements Node {
    }

    record Output(Expression value, int line) implements Node {
    }

    /** if / elif... / else; tests and bodies run in parallel. */
    record If(List<Expression> tests, List<List<Node>> bodies, List<Node> orElse, int line) implements Node {
    }

    /** filter is the inline {@code if} of {@code for x in xs if cond}, or null. */
    record For(Target target, Expression iterable, Expression filter, List<Node> body, List<Node> orElse, int line)
            implements Node {
    }

    record Assign(Target target, Expression value, int line) implements Node {
    }

    /** {@code {% set x | filters %}body{% endset %}}. */
    record SetBlock(Target target, List<Expression.FilterCall> filters, List<Node> body, int line) implements Node {
    }

    record MacroDef(String name, List<String> params, List<Expression> defaults, List<Node> body, int line)
            implements Node {
    }

    record FilterBlock(List<Expression.FilterCall> filters, List<Node> body, int line) implements Node {
    }

    /** transformers' {@code {% generation %}}: renders its body unchanged, in a scope of its own. */
    record Generation(List<Node> body, int line) implements Node {
    }

    record With(List<Target> targets, List<Expression> values, List<Node> body, int line) implements Node {
    }

    record Break(int line) implements Node {
    }

    record Continue(int line) implements Node {
    }
}
