package dev.calibra.compression.spec;

import dev.calibra.compression.method.LayerCompressor;
import dev.calibra.compression.method.SparseGptCompressor;
import dev.calibra.compression.method.SparseGptSettings;
import dev.calibra.compression.method.SparsityPattern;
import dev.calibra.contract.MethodContracts;
import dev.calibra.proto.v1.MethodInfo;
import java.util.LinkedHashMap;
import java.util.Map;

/** SparseGPT (IST-DASLab/sparsegpt fasterprune). */
public record SparseGptSpec(SparseGptSettings settings, RunSettings run) implements MethodSpec {

    static SparseGptSpec of(Parameters p) {
        return new SparseGptSpec(new SparseGptSettings(p.pattern(), p.number("damp_percent"), p.integer("block_size")), p.run());
    }

    /** The reference defaults with {@code pattern} (tests, benchmarks). */
    public static SparseGptSpec of(SparsityPattern pattern) {
        return new SparseGptSpec(SparseGptSettings.of(pattern), new RunSettings(false, 8));
    }

    @Override
    public MethodSpec withRun(RunSettings other) {
        return new SparseGptSpec(settings, other);
    }

    @Override
    public MethodInfo contract() {
        return MethodContracts.require("sparsegpt");
    }

    @Override
    public Map<String, String> parameters() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("damp_percent", Double.toString(settings.dampening()));
        p.put("block_size", Integer.toString(settings.blockSize()));
        PruningParameters.put(p, settings.pattern());
        p.put("true_sequential", Boolean.toString(run.trueSequential()));
        return p;
    }

    @Override
    public String shortName() {
        return "sparsegpt-" + PruningParameters.shortName(settings.pattern());
    }

    @Override
    public LayerCompressor newCompressor(boolean measureError) {
        return new SparseGptCompressor(settings);
    }
}
