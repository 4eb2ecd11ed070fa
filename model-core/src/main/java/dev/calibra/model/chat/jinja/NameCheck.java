package dev.calibra.model.chat.jinja;

import java.util.List;

/**
 * Jinja2 refuses an unknown filter or test when it compiles the template, unless the use sits in an
 * if statement or a conditional expression (a "soft" frame), where it fails only if it runs. This
 * walk applies the same rule, with the frames Jinja2's compiler uses.
 */
final class NameCheck {

    private final String templateName;

    private NameCheck(String templateName) {
        this.templateName = templateName;
    }

    static void check(String templateName, List<Node> body) {
        new NameCheck(templateName).nodes(body, false);
    }

    private void nodes(List<Node> body, boolean soft) {
        for (Node node : body) {
            node(node, soft);
        }
    }

    private void node(Node node, boolean soft) {
        if (node instanceof Node.Output output) {
            expression(output.value(), soft);
        } else if (node instanceof Node.If conditional) {
            conditional.tests().forEach(test -> expression(test, true));
            conditional.bodies().forEach(body -> nodes(body, true));
            nodes(conditional.orElse(), true);
        } else if (node instanceof Node.For loop) {
            expression(loop.iterable(), soft);
            if (loop.filter() != null) {
                expression(loop.filter(), false);
            }
            nodes(loop.body(), false);
            nodes(loop.orElse(), soft);
        } else if (node instanceof Node.Assign assign) {
            expression(assign.value(), soft);
        } else if (node instanceof Node.SetBlock block) {
            filters(block.filters());
            nodes(block.body(), false);
        } else if (node instanceof Node.MacroDef macro) {
            macro.defaults().forEach(value -> expression(value, false));
            nodes(macro.body(), false);
        } else if (node instanceof Node.FilterBlock block) {
            filters(block.filters());
            nodes(block.body(), false);
        } else if (node instanceof Node.Generation generation) {
            nodes(generation.body(), false);
        } else if (node instanceof Node.With with) {
            with.values().forEach(value -> expression(value, false));
            nodes(with.body(), false);
        }
    }

    private void filters(List<Expression.FilterCall> filters) {
        for (Expression.FilterCall filter : filters) {
            filter(filter, false);
        }
    }

    private void filter(Expression.FilterCall filter, boolean soft) {
        if (!soft && !Filters.isKnown(filter.name())) {
            throw new TemplateException(templateName, filter.line(), "No filter named " + PyStrings.repr(filter.name())
                    + ".");
        }
        expressions(filter.args(), soft);
        filter.kwargs().forEach(kw -> expression(kw.value(), soft));
    }

    private void expressions(List<Expression> list, boolean soft) {
        for (Expression e : list) {
            expression(e, soft);
        }
    }

    private void expression(Expression e, boolean soft) {
        if (e == null) {
            return;
        }
        if (e instanceof Expression.Filtered filtered) {
            expression(filtered.target(), soft);
            filter(filtered.filter(), soft);
        } else if (e instanceof Expression.Test test) {
            if (!soft && !Tests.isKnown(test.name())) {
                throw new TemplateException(templateName, test.line(), "No test named " + PyStrings.repr(test.name())
                        + ".");
            }
            expression(test.target(), soft);
            expressions(test.args(), soft);
            test.kwargs().forEach(kw -> expression(kw.value(), soft));
        } else if (e instanceof Expression.Conditional conditional) {
            expression(conditional.test(), true);
            expression(conditional.then(), true);
            expression(conditional.otherwise(), true);
        } else if (e instanceof Expression.ListLiteral list) {
            expressions(list.items(), soft);
        } else if (e instanceof Expression.TupleLiteral tuple) {
            expressions(tuple.items(), soft);
        } else if (e instanceof Expression.DictLiteral dict) {
            expressions(dict.keys(), soft);
            expressions(dict.values(), soft);
        } else if (e instanceof Expression.GetAttr get) {
            expression(get.target(), soft);
        } else if (e instanceof Expression.GetItem get) {
            expression(get.target(), soft);
            expression(get.key(), soft);
        } else if (e instanceof Expression.Slice slice) {
            expression(slice.target(), soft);
            expression(slice.start(), soft);
            expression(slice.stop(), soft);
            expression(slice.step(), soft);
        } else if (e instanceof Expression.Call call) {
            expression(call.callee(), soft);
            expressions(call.args(), soft);
            call.kwargs().forEach(kw -> expression(kw.value(), soft));
        } else if (e instanceof Expression.Unary unary) {
            expression(unary.operand(), soft);
        } else if (e instanceof Expression.Binary binary) {
            expression(binary.left(), soft);
            expression(binary.right(), soft);
        } else if (e instanceof Expression.Compare compare) {
            expression(compare.first(), soft);
            expressions(compare.operands(), soft);
        }
    }
}
