package dev.calibra.compression.spec;

import dev.calibra.compression.method.SparsityPattern;
import dev.calibra.contract.MethodContracts;
import dev.calibra.proto.v1.CompressionParameters;
import dev.calibra.proto.v1.MethodInfo;

/** A request's parameters as one method reads them: each value the one set, else the contract's default. */
final class Parameters {

    private final String method;
    private final CompressionParameters given;

    Parameters(String method, CompressionParameters given) {
        this.method = method;
        this.given = given;
    }

    MethodInfo contract() {
        return MethodContracts.require(method);
    }

    int integer(String name) {
        return (Integer) MethodContracts.value(method, given, name).orElseThrow(() -> missing(name));
    }

    double number(String name) {
        return (Double) MethodContracts.value(method, given, name).orElseThrow(() -> missing(name));
    }

    boolean flag(String name) {
        return (Boolean) MethodContracts.value(method, given, name).orElseThrow(() -> missing(name));
    }

    RunSettings run() {
        boolean trueSequential = contract().getParametersList().stream().anyMatch(p -> p.getName().equals("true_sequential"))
                && flag("true_sequential");
        return new RunSettings(trueSequential, integer("batch_size"));
    }

    /** Pruning's target: sparsity or prune_n:prune_m (the contract has checked that exactly one is given). */
    SparsityPattern pattern() {
        return given.hasSparsity() ? new SparsityPattern.Unstructured(given.getSparsity())
                : new SparsityPattern.NOfM(given.getPruneN(), given.getPruneM());
    }

    private IllegalArgumentException missing(String name) {
        return new IllegalArgumentException(name + ": " + method + " needs a value and the contract gives no default");
    }
}
