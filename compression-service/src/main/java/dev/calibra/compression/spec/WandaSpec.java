package dev.calibra.compression.spec;

import dev.calibra.compression.method.LayerCompressor;
import dev.calibra.compression.method.SparsityPattern;
import dev.calibra.compression.method.WandaPruner;
import dev.calibra.compression.method.WandaSettings;
import dev.calibra.contract.MethodContracts;
import dev.calibra.proto.v1.MethodInfo;
import java.util.LinkedHashMap;
import java.util.Map;

/** Wanda (locuslab/wanda prune_wanda). */
public record WandaSpec(SparsityPattern pattern, RunSettings run) implements MethodSpec {

    static WandaSpec of(Parameters p) {
        return new WandaSpec(p.pattern(), p.run());
    }

    public static WandaSpec of(SparsityPattern pattern) {
        return new WandaSpec(pattern, new RunSettings(false, 8));
    }

    @Override
    public MethodSpec withRun(RunSettings other) {
        return new WandaSpec(pattern, other);
    }

    @Override
    public MethodInfo contract() {
        return MethodContracts.require("wanda");
    }

    @Override
    public Map<String, String> parameters() {
        Map<String, String> p = new LinkedHashMap<>();
        PruningParameters.put(p, pattern);
        p.put("true_sequential", Boolean.toString(run.trueSequential()));
        return p;
    }

    @Override
    public String shortName() {
        return "wanda-" + PruningParameters.shortName(pattern);
    }

    @Override
    public LayerCompressor newCompressor(boolean measureError) {
        return new WandaPruner(new WandaSettings(pattern, measureError));
    }
}
