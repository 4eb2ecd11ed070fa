package dev.calibra.compression.spec;

import dev.calibra.compression.method.LayerCompressor;
import dev.calibra.compression.method.MagnitudePruner;
import dev.calibra.compression.method.MagnitudeSettings;
import dev.calibra.compression.method.SparsityPattern;
import dev.calibra.contract.MethodContracts;
import dev.calibra.proto.v1.MethodInfo;
import java.util.LinkedHashMap;
import java.util.Map;

/** Magnitude pruning (locuslab/wanda prune_magnitude); needs no calibration data. */
public record MagnitudeSpec(SparsityPattern pattern, RunSettings run) implements MethodSpec {

    static MagnitudeSpec of(Parameters p) {
        return new MagnitudeSpec(p.pattern(), p.run());
    }

    public static MagnitudeSpec of(SparsityPattern pattern) {
        return new MagnitudeSpec(pattern, new RunSettings(false, 8));
    }

    @Override
    public MethodSpec withRun(RunSettings other) {
        return new MagnitudeSpec(pattern, other);
    }

    @Override
    public MethodInfo contract() {
        return MethodContracts.require("magnitude");
    }

    @Override
    public Map<String, String> parameters() {
        Map<String, String> p = new LinkedHashMap<>();
        PruningParameters.put(p, pattern);
        return p;
    }

    @Override
    public String shortName() {
        return "magnitude-" + PruningParameters.shortName(pattern);
    }

    @Override
    public LayerCompressor newCompressor(boolean measureError) {
        return new MagnitudePruner(new MagnitudeSettings(pattern, measureError));
    }
}
