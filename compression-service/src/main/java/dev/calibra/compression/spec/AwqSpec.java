package dev.calibra.compression.spec;

import dev.calibra.compression.method.AwqSettings;
import dev.calibra.compression.method.LayerCompressor;
import dev.calibra.contract.MethodContracts;
import dev.calibra.proto.v1.MethodInfo;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AWQ (mit-han-lab/llm-awq): its settings and the run's. AWQ works on a whole block (scales are searched on
 * the block's sublayer outputs and folded into what precedes each group of linears), so the driver runs its blocks
 * through its own path (driver.AwqBlock), not a per-linear compressor.
 */
public record AwqSpec(AwqSettings settings, RunSettings run) implements MethodSpec {

    static AwqSpec of(Parameters p) {
        return new AwqSpec(new AwqSettings(p.integer("bits"), p.integer("group_size"), p.integer("scale_grid"),
                p.flag("clip_search")), p.run());
    }

    public static AwqSpec bits(int bits) {
        return new AwqSpec(AwqSettings.defaults(bits), new RunSettings(false, 8));
    }

    @Override
    public MethodSpec withRun(RunSettings other) {
        return new AwqSpec(settings, other);
    }

    @Override
    public MethodInfo contract() {
        return MethodContracts.require("awq");
    }

    @Override
    public Map<String, String> parameters() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("bits", Integer.toString(settings.bits()));
        p.put("group_size", Integer.toString(settings.groupSize()));
        p.put("scale_grid", Integer.toString(settings.scaleGrid()));
        p.put("clip_search", Boolean.toString(settings.clipSearch()));
        return p;
    }

    @Override
    public String shortName() {
        return "awq-w" + settings.bits() + (settings.groupSize() > 0 ? "-g" + settings.groupSize() : "");
    }

    @Override
    public LayerCompressor newCompressor(boolean measureError) {
        throw new UnsupportedOperationException("awq compresses whole blocks; the driver runs them through AwqBlock");
    }
}
