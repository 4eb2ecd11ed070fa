package dev.calibra.model.chat.jinja;

import java.util.List;

/** Expression nodes, as jinja2.nodes has them (and/or are Binary with op "and"/"or"). */
sealed interface Expression {

    int line();

    record Literal(Object value, int line) implements Expression {
    }

    record Name(String name, int line) implements Expression {
    }

    record ListLiteral(List<Expression> items, int line) implements Expression {
    }

    record TupleLiteral(List<Expression> items, int line) implements Expression {
    }

    record DictLiteral(List<Expression> keys, List<Expression> values, int line) implements Expression {
    }

    /** {@code target.name}: attribute first, then item. */
    record GetAttr(Expression target, String name, int line) implements Expression {
    }

    /** {@code target[key]}: item first, then attribute. */
    record GetItem(Expression target, Expression key, int line) implements Expression {
    }

    /** {@code target[start:stop:step]}; absent bounds are null. */
    record Slice(Expression target, Expression start, Expression stop, Expression step, int line)
            implements Expression {
    }

    record Keyword(String name, Expression value) {
    }

    record Call(Expression callee, List<Expression> args, List<Keyword> kwargs, int line) implements Expression {
    }

    /** {@code name(args)} in a filter chain; the value it filters comes from its holder. */
    record FilterCall(String name, List<Expression> args, List<Keyword> kwargs, int line) {
    }

    record Filtered(Expression target, FilterCall filter, int line) implements Expression {
    }

    /** {@code target is [not] name(args)}; negation is a Unary "not" around it. */
    record Test(Expression target, String name, List<Expression> args, List<Keyword> kwargs, int line)
            implements Expression {
    }

    /** {@code not}, {@code -} and {@code +}. */
    record Unary(String op, Expression operand, int line) implements Expression {
    }

    /** Arithmetic, {@code ~}, and the short-circuit {@code and}/{@code or}. */
    record Binary(String op, Expression left, Expression right, int line) implements Expression {
    }

    /** {@code a < b <= c}: chained like Python, ops are ==, !=, <, <=, >, >=, in, notin. */
    record Compare(Expression first, List<String> ops, List<Expression> operands, int line) implements Expression {
    }

    /** {@code then if test else otherwise}; otherwise is null when there is no else. */
    record Conditional(Expression test, Expression then, Expression otherwise, int line) implements Expression {
    }
}
