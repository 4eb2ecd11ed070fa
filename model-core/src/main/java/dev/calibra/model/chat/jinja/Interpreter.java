package dev.calibra.model.chat.jinja;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Executes a parsed template. Python-level errors ({@link PyException}) become {@link TemplateException}s
 * at the innermost statement that was running, which gives the line Jinja2 reports.
 */
final class Interpreter {

    /** How a statement list ended: normally, or by break or continue inside a loop. */
    enum Flow {
        NORMAL, BREAK, CONTINUE
    }

    private static final Scope GLOBALS = Globals.scope();

    private final String templateName;
    private long iterations;

    Interpreter(String templateName) {
        this.templateName = templateName;
    }

    String render(List<Node> body, Map<String, Object> variables) {
        Scope root = new Scope(GLOBALS);
        variables.forEach(root::set);
        StringBuilder out = new StringBuilder();
        try {
            execute(body, root, out);
        } catch (StackOverflowError e) {
            throw new TemplateException(templateName, 0, "RecursionError: maximum recursion depth exceeded");
        }
        return out.toString();
    }

    Flow execute(List<Node> body, Scope scope, StringBuilder out) {
        for (Node node : body) {
            Flow flow;
            try {
                flow = executeOne(node, scope, out);
            } catch (PyException e) {
                throw new TemplateException(templateName, node.line(), e.problem());
            }
            if (flow != Flow.NORMAL) {
                return flow;
            }
        }
        return Flow.NORMAL;
    }

    private Flow executeOne(Node node, Scope scope, StringBuilder out) {
        if (node instanceof Node.Text text) {
            out.append(text.text());
            Limits.requireLength(out.length());
        } else if (node instanceof Node.Output output) {
            out.append(PyValues.str(evaluate(output.value(), scope)));
            Limits.requireLength(out.length());
        } else if (node instanceof Node.If conditional) {
            return executeIf(conditional, scope, out);
        } else if (node instanceof Node.For loop) {
            executeFor(loop, scope, out);
        } else if (node instanceof Node.Assign assign) {
            assign(assign.target(), evaluate(assign.value(), scope), scope);
        } else if (node instanceof Node.SetBlock block) {
            assign(block.target(), renderFiltered(block.body(), block.filters(), scope), scope);
        } else if (node instanceof Node.MacroDef macro) {
            scope.set(macro.name(), new Macro(macro, scope, this));
        } else if (node instanceof Node.FilterBlock block) {
            out.append(PyValues.str(renderFiltered(block.body(), block.filters(), scope)));
        } else if (node instanceof Node.Generation generation) {
            execute(generation.body(), new Scope(scope), out);
        } else if (node instanceof Node.With with) {
            Scope inner = new Scope(scope);
            for (int i = 0; i < with.targets().size(); i++) {
                assign(with.targets().get(i), evaluate(with.values().get(i), scope), inner);
            }
            execute(with.body(), inner, out);
        } else if (node instanceof Node.Break) {
            return Flow.BREAK;
        } else if (node instanceof Node.Continue) {
            return Flow.CONTINUE;
        } else {
            throw new IllegalStateException("unhandled node " + node);
        }
        return Flow.NORMAL;
    }

    private Flow executeIf(Node.If conditional, Scope scope, StringBuilder out) {
        for (int i = 0; i < conditional.tests().size(); i++) {
            Expression test = conditional.tests().get(i);
            boolean taken;
            try {
                taken = PyValues.truthy(evaluate(test, scope));
            } catch (PyException e) {
                // an elif reports its own line
                throw new TemplateException(templateName, test.line(), e.problem());
            }
            if (taken) {
                return execute(conditional.bodies().get(i), scope, out);
            }
        }
        return execute(conditional.orElse(), scope, out);
    }

    /** Each iteration runs in a fresh child scope, so sets in the body neither leak nor carry over. */
    private void executeFor(Node.For loop, Scope scope, StringBuilder out) {
        List<Object> items = PyValues.iterate(evaluate(loop.iterable(), scope));
        if (loop.filter() != null) {
            List<Object> kept = new ArrayList<>();
            for (Object item : items) {
                Scope test = new Scope(scope);
                assign(loop.target(), item, test);
                if (PyValues.truthy(evaluate(loop.filter(), test))) {
                    kept.add(item);
                }
            }
            items = kept;
        }
        if (items.isEmpty()) {
            execute(loop.orElse(), new Scope(scope), out);
            return;
        }
        LoopContext context = new LoopContext(Collections.unmodifiableList(items));
        for (int i = 0; i < items.size(); i++) {
            Limits.requireIterations(++iterations);
            Scope iteration = new Scope(scope);
            assign(loop.target(), items.get(i), iteration);
            context.advanceTo(i);
            iteration.set("loop", context);
            if (execute(loop.body(), iteration, out) == Flow.BREAK) {
                break;
            }
        }
    }

    private Object renderFiltered(List<Node> body, List<Expression.FilterCall> filters, Scope scope) {
        StringBuilder text = new StringBuilder();
        execute(body, new Scope(scope), text);
        Object value = text.toString();
        for (Expression.FilterCall filter : filters) {
            value = applyFilter(filter, value, scope);
        }
        return value;
    }

    private void assign(Node.Target target, Object value, Scope scope) {
        if (target instanceof Node.NameTarget name) {
            scope.set(name.name(), value);
        } else if (target instanceof Node.NamespaceTarget attribute) {
            Object namespace = scope.lookup(attribute.namespace());
            if (!(namespace instanceof Namespace ns)) {
                throw new PyException("TemplateRuntimeError", "cannot assign attribute on non-namespace object");
            }
            ns.set(attribute.attribute(), value);
        } else {
            List<Node.Target> targets = ((Node.TupleTarget) target).items();
            List<Object> values = PyValues.iterate(value);
            if (values.size() != targets.size()) {
                throw PyException.valueError(values.size() > targets.size()
                        ? "too many values to unpack (expected " + targets.size() + ")"
                        : "not enough values to unpack (expected " + targets.size() + ", got " + values.size() + ")");
            }
            for (int i = 0; i < targets.size(); i++) {
                assign(targets.get(i), values.get(i), scope);
            }
        }
    }

    Object evaluate(Expression e, Scope scope) {
        if (e instanceof Expression.Literal literal) {
            return literal.value();
        }
        if (e instanceof Expression.Name name) {
            return scope.lookup(name.name());
        }
        if (e instanceof Expression.GetAttr get) {
            return Attributes.getattr(evaluate(get.target(), scope), get.name());
        }
        if (e instanceof Expression.GetItem get) {
            return Attributes.getitem(evaluate(get.target(), scope), evaluate(get.key(), scope));
        }
        if (e instanceof Expression.Slice slice) {
            return Attributes.slice(evaluate(slice.target(), scope), evaluateOrNull(slice.start(), scope),
                    evaluateOrNull(slice.stop(), scope), evaluateOrNull(slice.step(), scope));
        }
        if (e instanceof Expression.Filtered filtered) {
            return applyFilter(filtered.filter(), evaluate(filtered.target(), scope), scope);
        }
        if (e instanceof Expression.Test test) {
            return Tests.apply(test.name(), evaluate(test.target(), scope), evaluateAll(test.args(), scope),
                    evaluateKeywords(test.kwargs(), scope));
        }
        if (e instanceof Expression.Call call) {
            return call(evaluate(call.callee(), scope), evaluateAll(call.args(), scope),
                    evaluateKeywords(call.kwargs(), scope));
        }
        if (e instanceof Expression.Binary binary) {
            return evaluateBinary(binary, scope);
        }
        if (e instanceof Expression.Unary unary) {
            Object operand = evaluate(unary.operand(), scope);
            switch (unary.op()) {
                case "not":
                    return !PyValues.truthy(operand);
                case "-":
                    return Operators.negate(operand);
                default:
                    return Operators.plus(operand);
            }
        }
        if (e instanceof Expression.Compare compare) {
            Object left = evaluate(compare.first(), scope);
            for (int i = 0; i < compare.ops().size(); i++) {
                Object right = evaluate(compare.operands().get(i), scope);
                if (!Operators.compare(compare.ops().get(i), left, right)) {
                    return false;
                }
                left = right;
            }
            return true;
        }
        if (e instanceof Expression.Conditional conditional) {
            if (PyValues.truthy(evaluate(conditional.test(), scope))) {
                return evaluate(conditional.then(), scope);
            }
            if (conditional.otherwise() == null) {
                return Undefined.hint("the inline if-expression on line " + conditional.line()
                        + " evaluated to false and no else section was defined.");
            }
            return evaluate(conditional.otherwise(), scope);
        }
        if (e instanceof Expression.ListLiteral list) {
            return PyValues.list(evaluateAll(list.items(), scope));
        }
        if (e instanceof Expression.TupleLiteral tuple) {
            return new PyTuple(evaluateAll(tuple.items(), scope));
        }
        if (e instanceof Expression.DictLiteral dict) {
            Map<Object, Object> map = new LinkedHashMap<>();
            for (int i = 0; i < dict.keys().size(); i++) {
                Object key = evaluate(dict.keys().get(i), scope);
                if (PyValues.isPlainList(key) || key instanceof Map || key instanceof DictView) {
                    throw PyException.typeError("unhashable type: '" + PyValues.typeName(key) + "'");
                }
                PyValues.put(map, key, evaluate(dict.values().get(i), scope));
            }
            return Collections.unmodifiableMap(map);
        }
        throw new IllegalStateException("unhandled expression " + e);
    }

    private Object evaluateOrNull(Expression e, Scope scope) {
        return e == null ? null : evaluate(e, scope);
    }

    private Object evaluateBinary(Expression.Binary binary, Scope scope) {
        Object left = evaluate(binary.left(), scope);
        switch (binary.op()) {
            case "and":
                return PyValues.truthy(left) ? evaluate(binary.right(), scope) : left;
            case "or":
                return PyValues.truthy(left) ? left : evaluate(binary.right(), scope);
            case "~": {
                // string concatenation uses str(), so Undefined joins as "" instead of failing
                String joined = PyValues.str(left);
                String right = PyValues.str(evaluate(binary.right(), scope));
                Limits.requireLength((long) joined.length() + right.length());
                return joined + right;
            }
            default:
                return Operators.binary(binary.op(), left, evaluate(binary.right(), scope));
        }
    }

    private List<Object> evaluateAll(List<Expression> expressions, Scope scope) {
        List<Object> values = new ArrayList<>(expressions.size());
        for (Expression e : expressions) {
            values.add(evaluate(e, scope));
        }
        return values;
    }

    private Map<String, Object> evaluateKeywords(List<Expression.Keyword> keywords, Scope scope) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Expression.Keyword keyword : keywords) {
            values.put(keyword.name(), evaluate(keyword.value(), scope));
        }
        return values;
    }

    private Object applyFilter(Expression.FilterCall filter, Object value, Scope scope) {
        return Filters.apply(filter.name(), value, evaluateAll(filter.args(), scope),
                evaluateKeywords(filter.kwargs(), scope));
    }

    private static Object call(Object callee, List<Object> args, Map<String, Object> kwargs) {
        if (callee instanceof Undefined u) {
            throw u.error();
        }
        if (!(callee instanceof PyCallable function)) {
            throw PyException.typeError("'" + PyValues.typeName(callee) + "' object is not callable");
        }
        return function.call(args, kwargs);
    }
}
