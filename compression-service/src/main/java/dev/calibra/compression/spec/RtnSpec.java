package dev.calibra.compression.spec;

import dev.calibra.compression.method.LayerCompressor;
import dev.calibra.compression.method.RtnQuantizer;
import dev.calibra.compression.method.RtnSettings;
import dev.calibra.contract.MethodContracts;
import dev.calibra.proto.v1.MethodInfo;
import java.util.LinkedHashMap;
import java.util.Map;

/** Round to nearest (the GPTQ paper's baseline); needs no calibration data. */
public record RtnSpec(int bits, int groupSize, boolean symmetric, RunSettings run) implements MethodSpec, GridQuantization {

    public RtnSpec {
        new RtnSettings(bits, groupSize, symmetric, false);     // validates
    }

    static RtnSpec of(Parameters p) {
        return new RtnSpec(p.integer("bits"), p.integer("group_size"), p.flag("sym"), p.run());
    }

    /** Per-channel, asymmetric, {@code bits} (tests, benchmarks). */
    public static RtnSpec bits(int bits) {
        return new RtnSpec(bits, -1, false, new RunSettings(false, 8));
    }

    @Override
    public MethodSpec withRun(RunSettings other) {
        return new RtnSpec(bits, groupSize, symmetric, other);
    }

    @Override
    public MethodInfo contract() {
        return MethodContracts.require("rtn");
    }

    @Override
    public boolean actOrder() {
        return false;
    }

    @Override
    public Map<String, String> parameters() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("bits", Integer.toString(bits));
        p.put("group_size", Integer.toString(groupSize));
        p.put("sym", Boolean.toString(symmetric));
        return p;
    }

    @Override
    public String shortName() {
        return "rtn-w" + bits + (groupSize > 0 ? "-g" + groupSize : "");
    }

    @Override
    public LayerCompressor newCompressor(boolean measureError) {
        return new RtnQuantizer(new RtnSettings(bits, groupSize, symmetric, measureError));
    }
}
