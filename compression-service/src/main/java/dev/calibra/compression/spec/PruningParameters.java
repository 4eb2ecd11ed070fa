package dev.calibra.compression.spec;

import dev.calibra.compression.method.SparsityPattern;
import java.util.Map;

/** The target every pruning method records: sparsity "0.5" or pattern "2:4". */
final class PruningParameters {

    private PruningParameters() {}

    static void put(Map<String, String> parameters, SparsityPattern pattern) {
        if (pattern instanceof SparsityPattern.Unstructured u) {
            parameters.put("sparsity", Double.toString(u.sparsity()));
        } else if (pattern instanceof SparsityPattern.NOfM nm) {
            parameters.put("pattern", nm.n() + ":" + nm.m());
        }
    }

    /** "50" or "2of4". */
    static String shortName(SparsityPattern pattern) {
        return pattern instanceof SparsityPattern.NOfM nm ? nm.n() + "of" + nm.m()
                : Long.toString(Math.round(pattern.targetSparsity() * 100));
    }
}
