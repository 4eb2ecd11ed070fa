package dev.calibra.model.chat.jinja;

import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;

/**
 * jinja2.parser.Parser for the statements and expressions chat templates use, with Jinja2's operator
 * precedence: conditional, or, and, not, comparisons (chained, in, not in), + and -, ~, * / // %, **,
 * unary - and +, then primaries with their postfix ., [], (), filters and tests.
 */
final class Parser {

    private final String templateName;
    private final List<Token> tokens;
    private int index;
    /** break and continue are only valid where this is positive. */
    private int loopDepth;
    /** Open block tags, innermost last, with the end tags each waits for: for error messages. */
    private final Deque<String> openTags = new ArrayDeque<>();
    private final Deque<List<String>> awaitedEnds = new ArrayDeque<>();

    private Parser(String templateName, List<Token> tokens) {
        this.templateName = templateName;
        this.tokens = tokens;
    }

    static List<Node> parse(String source, String templateName) {
        Parser parser = new Parser(templateName, Lexer.tokenize(source, templateName));
        List<Node> body = parser.subparse(null);
        NameCheck.check(templateName, body);
        return body;
    }

    // ---- token stream

    private Token current() {
        return tokens.get(index);
    }

    private Token look() {
        return tokens.get(Math.min(index + 1, tokens.size() - 1));
    }

    private Token next() {
        Token token = current();
        if (token.kind() != Token.Kind.EOF) {
            index++;
        }
        return token;
    }

    private TemplateException fail(int line, String problem) {
        return new TemplateException(templateName, line, problem);
    }

    private Token expect(Token.Kind kind, String what) {
        Token token = current();
        if (token.kind() != kind) {
            throw unexpected(token, what);
        }
        return next();
    }

    /** jinja2 TokenStream.expect's message. */
    private TemplateException unexpected(Token token, String expected) {
        if (token.kind() == Token.Kind.EOF) {
            return fail(token.line(), "unexpected end of template, expected " + PyStrings.repr(expected) + ".");
        }
        return fail(token.line(), "expected token " + PyStrings.repr(expected) + ", got "
                + PyStrings.repr(token.describe()));
    }

    private String expectName() {
        return expect(Token.Kind.NAME, "name").value();
    }

    private void expectOperator(String op) {
        Token token = current();
        if (!token.isOperator(op)) {
            throw unexpected(token, op);
        }
        next();
    }

    private boolean skipOperator(String op) {
        if (current().isOperator(op)) {
            next();
            return true;
        }
        return false;
    }

    private boolean skipName(String name) {
        if (current().isName(name)) {
            next();
            return true;
        }
        return false;
    }

    // ---- template structure

    /** Template data, outputs and statements up to a block tag named in endTags (left current), or EOF. */
    private List<Node> subparse(Set<String> endTags) {
        List<Node> body = new ArrayList<>();
        while (true) {
            Token token = current();
            switch (token.kind()) {
                case DATA:
                    next();
                    body.add(new Node.Text(token.value(), token.line()));
                    break;
                case VARIABLE_BEGIN: {
                    next();
                    Expression value = parseTuple(false, true, null, false);
                    expect(Token.Kind.VARIABLE_END, "end of print statement");
                    body.add(new Node.Output(value, token.line()));
                    break;
                }
                case BLOCK_BEGIN: {
                    next();
                    Token tag = current();
                    if (endTags != null && tag.kind() == Token.Kind.NAME && endTags.contains(tag.value())) {
                        return body;
                    }
                    body.addAll(parseStatement());
                    expect(Token.Kind.BLOCK_END, "end of statement block");
                    break;
                }
                case EOF:
                    if (endTags != null) {
                        throw unknownTag(null, token.line());
                    }
                    return body;
                default:
                    throw fail(token.line(), "unexpected " + PyStrings.repr(token.describe()));
            }
        }
    }

    /** The rest of a block tag, then its body up to one of endTags (left current). */
    private List<Node> parseStatements(String... endTags) {
        skipOperator(":");
        expect(Token.Kind.BLOCK_END, "end of statement block");
        awaitedEnds.push(List.of(endTags));
        try {
            return subparse(Set.of(endTags));
        } finally {
            awaitedEnds.pop();
        }
    }

    /** jinja2 Parser._fail_ut_eof: an unknown tag, or the end of the template inside a block. */
    private TemplateException unknownTag(String name, int line) {
        StringBuilder message = new StringBuilder(name == null ? "Unexpected end of template."
                : "Encountered unknown tag " + PyStrings.repr(name) + ".");
        if (!awaitedEnds.isEmpty()) {
            List<String> awaited = new ArrayList<>();
            awaitedEnds.peek().forEach(t -> awaited.add(PyStrings.repr(t)));
            String looking = String.join(" or ", awaited);
            boolean awaitedElsewhere = name != null && awaitedEnds.stream().anyMatch(ends -> ends.contains(name));
            message.append(awaitedElsewhere
                    ? " You probably made a nesting mistake. Jinja is expecting this tag, but currently looking for "
                            + looking + "."
                    : " Jinja was looking for the following tags: " + looking + ".");
        }
        if (!openTags.isEmpty()) {
            message.append(" The innermost block that needs to be closed is ").append(PyStrings.repr(openTags.peek()))
                    .append('.');
        }
        return fail(line, message.toString());
    }

    private static final Set<String> REFUSED_TAGS = Set.of("block", "extends", "include", "import", "from", "call",
            "autoescape");
    private static final Set<String> TAGS = Set.of("for", "if", "set", "macro", "filter", "generation", "with",
            "print", "break", "continue");

    private List<Node> parseStatement() {
        Token token = current();
        if (token.kind() != Token.Kind.NAME) {
            throw fail(token.line(), "tag name expected");
        }
        String tag = token.value();
        if (REFUSED_TAGS.contains(tag)) {
            throw fail(token.line(), "the '" + tag + "' tag is not supported by Calibra's Jinja engine"
                    + " (chat templates do not use it)");
        }
        if (!TAGS.contains(tag)) {
            throw unknownTag(tag, token.line());
        }
        openTags.push(tag);
        try {
            switch (tag) {
                case "for":
                    return List.of(parseFor());
                case "if":
                    return List.of(parseIf());
                case "set":
                    return List.of(parseSet());
                case "macro":
                    return List.of(parseMacro());
                case "filter":
                    return List.of(parseFilterBlock());
                case "generation":
                    return List.of(parseGeneration());
                case "with":
                    return List.of(parseWith());
                case "print":
                    return parsePrint();
                default:
                    next();
                    if (loopDepth == 0) {
                        throw fail(token.line(), "'" + tag + "' outside loop");
                    }
                    return List.of(tag.equals("break") ? new Node.Break(token.line()) : new Node.Continue(token.line()));
            }
        } finally {
            openTags.pop();
        }
    }

    /** A body where break and continue do not reach an enclosing loop (macros, blocks). */
    private List<Node> parseDetachedStatements(String endTag) {
        int outerLoops = loopDepth;
        loopDepth = 0;
        try {
            List<Node> body = parseStatements(endTag);
            next();
            return body;
        } finally {
            loopDepth = outerLoops;
        }
    }

    private Node parseFor() {
        int line = next().line();
        Node.Target target = parseAssignTarget(true, false, Set.of("in"), false);
        if (!skipName("in")) {
            throw unexpected(current(), "in");
        }
        Expression iterable = parseTuple(false, false, Set.of("recursive"), false);
        Expression filter = skipName("if") ? parseExpression(true) : null;
        if (current().isName("recursive")) {
            throw fail(current().line(), "recursive for loops are not supported by Calibra's Jinja engine");
        }
        loopDepth++;
        List<Node> body;
        try {
            body = parseStatements("endfor", "else");
        } finally {
            loopDepth--;
        }
        List<Node> orElse = List.of();
        if (next().value().equals("else")) {
            orElse = parseStatements("endfor");
            next();
        }
        return new Node.For(target, iterable, filter, body, orElse, line);
    }

    private Node parseIf() {
        int line = next().line();
        List<Expression> tests = new ArrayList<>();
        List<List<Node>> bodies = new ArrayList<>();
        List<Node> orElse = List.of();
        while (true) {
            tests.add(parseTuple(false, false, null, false));
            bodies.add(parseStatements("elif", "else", "endif"));
            String tag = next().value();
            if (tag.equals("elif")) {
                continue;
            }
            if (tag.equals("else")) {
                orElse = parseStatements("endif");
                next();
            }
            return new Node.If(tests, bodies, orElse, line);
        }
    }

    private Node parseSet() {
        int line = next().line();
        Node.Target target = parseAssignTarget(true, false, null, true);
        if (skipOperator("=")) {
            return new Node.Assign(target, parseTuple(false, true, null, false), line);
        }
        List<Expression.FilterCall> filters = parseFilterCalls(false);
        return new Node.SetBlock(target, filters, parseDetachedStatements("endset"), line);
    }

    private Node parseMacro() {
        int line = next().line();
        String name = expectName();
        expectOperator("(");
        List<String> params = new ArrayList<>();
        List<Expression> defaults = new ArrayList<>();
        while (!current().isOperator(")")) {
            if (!params.isEmpty()) {
                expectOperator(",");
            }
            Token param = current();
            params.add(expectName());
            if (skipOperator("=")) {
                defaults.add(parseExpression(true));
            } else if (!defaults.isEmpty()) {
                throw fail(param.line(), "non-default argument follows default argument");
            }
        }
        expectOperator(")");
        return new Node.MacroDef(name, params, defaults, parseDetachedStatements("endmacro"), line);
    }

    private Node parseFilterBlock() {
        int line = next().line();
        List<Expression.FilterCall> filters = parseFilterCalls(true);
        return new Node.FilterBlock(filters, parseDetachedStatements("endfilter"), line);
    }

    private Node parseGeneration() {
        int line = next().line();
        return new Node.Generation(parseDetachedStatements("endgeneration"), line);
    }

    private Node parseWith() {
        int line = next().line();
        List<Node.Target> targets = new ArrayList<>();
        List<Expression> values = new ArrayList<>();
        while (current().kind() != Token.Kind.BLOCK_END) {
            if (!targets.isEmpty()) {
                expectOperator(",");
            }
            targets.add(parseAssignTarget(true, false, null, false));
            expectOperator("=");
            values.add(parseExpression(true));
        }
        return new Node.With(targets, values, parseDetachedStatements("endwith"), line);
    }

    private List<Node> parsePrint() {
        next();
        List<Node> outputs = new ArrayList<>();
        while (current().kind() != Token.Kind.BLOCK_END) {
            if (!outputs.isEmpty()) {
                expectOperator(",");
            }
            Expression value = parseExpression(true);
            outputs.add(new Node.Output(value, value.line()));
        }
        return outputs;
    }

    /** jinja2 parse_assign_target: a name, a namespace attribute (set only), or a tuple of names. */
    private Node.Target parseAssignTarget(boolean withTuple, boolean nameOnly, Set<String> extraEnd,
            boolean withNamespace) {
        if (withNamespace && look().isOperator(".")) {
            String namespace = expectName();
            next();
            return new Node.NamespaceTarget(namespace, expectName());
        }
        if (nameOnly) {
            return new Node.NameTarget(expectName());
        }
        Expression target = withTuple ? parseTuple(true, false, extraEnd, false) : parsePrimary();
        return toTarget(target);
    }

    private Node.Target toTarget(Expression e) {
        if (e instanceof Expression.Name name) {
            return new Node.NameTarget(name.name());
        }
        if (e instanceof Expression.TupleLiteral tuple) {
            List<Node.Target> items = new ArrayList<>();
            for (Expression item : tuple.items()) {
                items.add(toTarget(item));
            }
            return new Node.TupleTarget(items);
        }
        String kind = e instanceof Expression.Literal ? "const" : e.getClass().getSimpleName().toLowerCase();
        throw fail(e.line(), "can't assign to '" + kind + "'");
    }

    // ---- expressions

    private Expression parseExpression(boolean withConditional) {
        return withConditional ? parseConditional() : parseOr();
    }

    private Expression parseConditional() {
        int line = current().line();
        Expression then = parseOr();
        while (skipName("if")) {
            Expression test = parseOr();
            Expression otherwise = skipName("else") ? parseConditional() : null;
            then = new Expression.Conditional(test, then, otherwise, line);
            line = current().line();
        }
        return then;
    }

    private Expression parseOr() {
        Expression left = parseAnd();
        while (current().isName("or")) {
            int line = next().line();
            left = new Expression.Binary("or", left, parseAnd(), line);
        }
        return left;
    }

    private Expression parseAnd() {
        Expression left = parseNot();
        while (current().isName("and")) {
            int line = next().line();
            left = new Expression.Binary("and", left, parseNot(), line);
        }
        return left;
    }

    private Expression parseNot() {
        if (current().isName("not")) {
            int line = next().line();
            return new Expression.Unary("not", parseNot(), line);
        }
        return parseCompare();
    }

    private static final Set<String> COMPARISONS = Set.of("==", "!=", "<", "<=", ">", ">=");

    private Expression parseCompare() {
        int line = current().line();
        Expression first = parseMath1();
        List<String> ops = new ArrayList<>();
        List<Expression> operands = new ArrayList<>();
        while (true) {
            Token token = current();
            if (token.kind() == Token.Kind.OPERATOR && COMPARISONS.contains(token.value())) {
                next();
                ops.add(token.value());
            } else if (skipName("in")) {
                ops.add("in");
            } else if (token.isName("not") && look().isName("in")) {
                next();
                next();
                ops.add("notin");
            } else {
                break;
            }
            operands.add(parseMath1());
        }
        return ops.isEmpty() ? first : new Expression.Compare(first, ops, operands, line);
    }

    /** A left-associative chain of binary operators over the next tighter level. */
    private Expression binaryChain(java.util.function.Supplier<Expression> operand, String... ops) {
        Expression left = operand.get();
        while (true) {
            Token token = current();
            String op = null;
            for (String candidate : ops) {
                if (token.isOperator(candidate)) {
                    op = candidate;
                }
            }
            if (op == null) {
                return left;
            }
            next();
            left = new Expression.Binary(op, left, operand.get(), token.line());
        }
    }

    private Expression parseMath1() {
        return binaryChain(this::parseConcat, "+", "-");
    }

    private Expression parseConcat() {
        return binaryChain(this::parseMath2, "~");
    }

    private Expression parseMath2() {
        return binaryChain(this::parsePow, "*", "/", "//", "%");
    }

    /** Left-associative in Jinja2, unlike Python: 2 ** 3 ** 2 is 64. */
    private Expression parsePow() {
        return binaryChain(() -> parseUnary(true), "**");
    }

    private Expression parseUnary(boolean withFilter) {
        Token token = current();
        Expression node;
        if (token.isOperator("-") || token.isOperator("+")) {
            next();
            node = new Expression.Unary(token.value(), parseUnary(false), token.line());
        } else {
            node = parsePrimary();
        }
        node = parsePostfix(node);
        return withFilter ? parseFilterExpression(node) : node;
    }

    private Expression parsePrimary() {
        Token token = current();
        switch (token.kind()) {
            case NAME: {
                next();
                switch (token.value()) {
                    case "true":
                    case "True":
                        return new Expression.Literal(true, token.line());
                    case "false":
                    case "False":
                        return new Expression.Literal(false, token.line());
                    case "none":
                    case "None":
                        return new Expression.Literal(null, token.line());
                    default:
                        return new Expression.Name(token.value(), token.line());
                }
            }
            case STRING: {
                StringBuilder text = new StringBuilder();
                while (current().kind() == Token.Kind.STRING) {
                    text.append(next().value());
                }
                return new Expression.Literal(text.toString(), token.line());
            }
            case INTEGER:
                next();
                return new Expression.Literal(integer(token), token.line());
            case FLOAT:
                next();
                return new Expression.Literal(Double.parseDouble(token.value().replace("_", "")), token.line());
            default:
                break;
        }
        if (token.isOperator("(")) {
            next();
            Expression inner = parseTuple(false, true, null, true);
            expectOperator(")");
            return inner;
        }
        if (token.isOperator("[")) {
            return parseList();
        }
        if (token.isOperator("{")) {
            return parseDict();
        }
        throw fail(token.line(), "unexpected " + PyStrings.repr(token.describe()));
    }

    private Long integer(Token token) {
        String text = token.value().replace("_", "").toLowerCase();
        int radix = 10;
        if (text.startsWith("0x") || text.startsWith("0o") || text.startsWith("0b")) {
            radix = text.charAt(1) == 'x' ? 16 : text.charAt(1) == 'o' ? 8 : 2;
            text = text.substring(2);
        }
        BigInteger value = new BigInteger(text, radix);
        if (value.bitLength() > 63) {
            throw fail(token.line(), "integer literal " + token.value() + " is beyond 64 bits");
        }
        return value.longValue();
    }

    /** jinja2 parse_tuple: one expression, or a tuple when there is a comma. */
    private Expression parseTuple(boolean simplified, boolean withConditional, Set<String> extraEnd,
            boolean explicitParentheses) {
        int line = current().line();
        List<Expression> items = new ArrayList<>();
        boolean isTuple = false;
        while (true) {
            if (!items.isEmpty()) {
                expectOperator(",");
            }
            if (isTupleEnd(extraEnd)) {
                break;
            }
            items.add(simplified ? parsePrimary() : parseExpression(withConditional));
            if (current().isOperator(",")) {
                isTuple = true;
            } else {
                break;
            }
        }
        if (!isTuple) {
            if (!items.isEmpty()) {
                return items.get(0);
            }
            if (!explicitParentheses) {
                throw fail(current().line(), "Expected an expression, got " + PyStrings.repr(current().describe()));
            }
        }
        return new Expression.TupleLiteral(items, line);
    }

    private boolean isTupleEnd(Set<String> extraEnd) {
        Token token = current();
        if (token.kind() == Token.Kind.VARIABLE_END || token.kind() == Token.Kind.BLOCK_END
                || token.isOperator(")")) {
            return true;
        }
        return extraEnd != null && token.kind() == Token.Kind.NAME && extraEnd.contains(token.value());
    }

    private Expression parseList() {
        int line = next().line();
        List<Expression> items = new ArrayList<>();
        while (!current().isOperator("]")) {
            if (!items.isEmpty()) {
                expectOperator(",");
            }
            if (current().isOperator("]")) {
                break;
            }
            items.add(parseExpression(true));
        }
        expectOperator("]");
        return new Expression.ListLiteral(items, line);
    }

    private Expression parseDict() {
        int line = next().line();
        List<Expression> keys = new ArrayList<>();
        List<Expression> values = new ArrayList<>();
        while (!current().isOperator("}")) {
            if (!keys.isEmpty()) {
                expectOperator(",");
            }
            if (current().isOperator("}")) {
                break;
            }
            keys.add(parseExpression(true));
            expectOperator(":");
            values.add(parseExpression(true));
        }
        expectOperator("}");
        return new Expression.DictLiteral(keys, values, line);
    }

    private Expression parsePostfix(Expression node) {
        while (true) {
            Token token = current();
            if (token.isOperator(".") || token.isOperator("[")) {
                node = parseSubscript(node);
            } else if (token.isOperator("(")) {
                node = parseCall(node);
            } else {
                return node;
            }
        }
    }

    private Expression parseFilterExpression(Expression node) {
        while (true) {
            Token token = current();
            if (token.isOperator("|")) {
                next();
                node = new Expression.Filtered(node, parseFilterCall(), token.line());
            } else if (token.isName("is")) {
                node = parseTest(node);
            } else if (token.isOperator("(")) {
                node = parseCall(node);
            } else {
                return node;
            }
        }
    }

    /** A slice's bounds inside [...]. */
    private record SliceParts(Expression start, Expression stop, Expression step) {
    }

    private Expression parseSubscript(Expression node) {
        Token token = next();
        if (token.isOperator(".")) {
            Token attribute = next();
            if (attribute.kind() == Token.Kind.NAME) {
                return new Expression.GetAttr(node, attribute.value(), token.line());
            }
            if (attribute.kind() != Token.Kind.INTEGER) {
                throw fail(attribute.line(), "expected name or number");
            }
            return new Expression.GetItem(node, new Expression.Literal(integer(attribute), attribute.line()),
                    token.line());
        }
        List<Object> args = new ArrayList<>();
        while (!current().isOperator("]")) {
            if (!args.isEmpty()) {
                expectOperator(",");
            }
            args.add(parseSubscribed());
        }
        expectOperator("]");
        if (args.size() == 1 && args.get(0) instanceof SliceParts slice) {
            return new Expression.Slice(node, slice.start(), slice.stop(), slice.step(), token.line());
        }
        List<Expression> keys = new ArrayList<>();
        for (Object arg : args) {
            if (!(arg instanceof Expression key)) {
                throw fail(token.line(), "a slice inside a tuple subscript is not supported by Calibra's Jinja engine");
            }
            keys.add(key);
        }
        Expression key = keys.size() == 1 ? keys.get(0) : new Expression.TupleLiteral(keys, token.line());
        return new Expression.GetItem(node, key, token.line());
    }

    /** An index expression or the parts of a slice. */
    private Object parseSubscribed() {
        Expression start = null;
        if (!current().isOperator(":")) {
            start = parseExpression(true);
            if (!current().isOperator(":")) {
                return start;
            }
        }
        next();
        Expression stop = null;
        if (!current().isOperator(":") && !current().isOperator("]") && !current().isOperator(",")) {
            stop = parseExpression(true);
        }
        Expression step = null;
        if (skipOperator(":") && !current().isOperator("]") && !current().isOperator(",")) {
            step = parseExpression(true);
        }
        return new SliceParts(start, stop, step);
    }

    private record CallArgs(List<Expression> args, List<Expression.Keyword> kwargs) {
    }

    private Expression parseCall(Expression callee) {
        int line = current().line();
        CallArgs call = parseCallArgs();
        return new Expression.Call(callee, call.args(), call.kwargs(), line);
    }

    private CallArgs parseCallArgs() {
        Token open = current();
        expectOperator("(");
        List<Expression> args = new ArrayList<>();
        List<Expression.Keyword> kwargs = new ArrayList<>();
        boolean needComma = false;
        while (!current().isOperator(")")) {
            if (needComma) {
                expectOperator(",");
                if (current().isOperator(")")) {
                    break;
                }
            }
            if (current().isOperator("*") || current().isOperator("**")) {
                throw fail(current().line(), "*args and **kwargs in calls are not supported by Calibra's Jinja engine");
            }
            if (current().kind() == Token.Kind.NAME && look().isOperator("=")) {
                String key = next().value();
                next();
                kwargs.add(new Expression.Keyword(key, parseExpression(true)));
            } else {
                if (!kwargs.isEmpty()) {
                    throw fail(open.line(), "invalid syntax for function call expression");
                }
                args.add(parseExpression(true));
            }
            needComma = true;
        }
        expectOperator(")");
        return new CallArgs(args, kwargs);
    }

    /** {@code name(args)} after a pipe; dotted names are kept whole as Jinja2 does. */
    private Expression.FilterCall parseFilterCall() {
        Token token = current();
        StringBuilder name = new StringBuilder(expectName());
        while (current().isOperator(".")) {
            next();
            name.append('.').append(expectName());
        }
        CallArgs call = current().isOperator("(") ? parseCallArgs() : new CallArgs(List.of(), List.of());
        return new Expression.FilterCall(name.toString(), call.args(), call.kwargs(), token.line());
    }

    /** The filters of a filter block ({@code start inline}) or of a set block (each after a pipe). */
    private List<Expression.FilterCall> parseFilterCalls(boolean startInline) {
        List<Expression.FilterCall> filters = new ArrayList<>();
        while (startInline || current().isOperator("|")) {
            if (!startInline) {
                next();
            }
            filters.add(parseFilterCall());
            startInline = false;
        }
        return filters;
    }

    private static final Set<String> TEST_ARGUMENT_STARTS = Set.of("(", "[", "{");

    private Expression parseTest(Expression node) {
        Token token = next();
        boolean negated = skipName("not");
        StringBuilder name = new StringBuilder(expectName());
        while (current().isOperator(".")) {
            next();
            name.append('.').append(expectName());
        }
        List<Expression> args = List.of();
        List<Expression.Keyword> kwargs = List.of();
        Token arg = current();
        if (arg.isOperator("(")) {
            CallArgs call = parseCallArgs();
            args = call.args();
            kwargs = call.kwargs();
        } else if ((arg.kind() == Token.Kind.NAME || arg.kind() == Token.Kind.STRING
                || arg.kind() == Token.Kind.INTEGER || arg.kind() == Token.Kind.FLOAT
                || arg.kind() == Token.Kind.OPERATOR && TEST_ARGUMENT_STARTS.contains(arg.value()))
                && !arg.isName("else") && !arg.isName("or") && !arg.isName("and")) {
            // "x is divisibleby 3": one argument without parentheses
            if (arg.isName("is")) {
                throw fail(arg.line(), "You cannot chain multiple tests with is");
            }
            args = List.of(parsePostfix(parsePrimary()));
        }
        Expression test = new Expression.Test(node, name.toString(), args, kwargs, token.line());
        return negated ? new Expression.Unary("not", test, token.line()) : test;
    }
}
