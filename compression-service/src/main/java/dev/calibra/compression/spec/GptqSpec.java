package dev.calibra.compression.spec;

import dev.calibra.compression.method.GptqCompressor;
import dev.calibra.compression.method.GptqSettings;
import dev.calibra.compression.method.LayerCompressor;
import dev.calibra.contract.MethodContracts;
import dev.calibra.proto.v1.MethodInfo;
import java.util.LinkedHashMap;
import java.util.Map;

/** GPTQ (IST-DASLab/gptq fasterquant): its settings and the run's. */
public record GptqSpec(GptqSettings settings, RunSettings run) implements MethodSpec, GridQuantization {

    static GptqSpec of(Parameters p) {
        return new GptqSpec(new GptqSettings(p.integer("bits"), p.integer("group_size"), p.flag("sym"), p.flag("act_order"),
                p.number("damp_percent"), p.integer("block_size")), p.run());
    }

    /** The reference defaults with {@code bits} (tests, benchmarks). */
    public static GptqSpec bits(int bits) {
        return new GptqSpec(new GptqSettings(bits, -1, false, false, 0.01, 128), new RunSettings(false, 8));
    }

    @Override
    public MethodSpec withRun(RunSettings other) {
        return new GptqSpec(settings, other);
    }

    @Override
    public MethodInfo contract() {
        return MethodContracts.require("gptq");
    }

    @Override
    public int bits() {
        return settings.bits();
    }

    @Override
    public int groupSize() {
        return settings.groupSize();
    }

    @Override
    public boolean symmetric() {
        return settings.symmetric();
    }

    @Override
    public boolean actOrder() {
        return settings.actOrder();
    }

    @Override
    public Double dampPercent() {
        return settings.dampening();
    }

    @Override
    public Map<String, String> parameters() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("bits", Integer.toString(settings.bits()));
        p.put("group_size", Integer.toString(settings.groupSize()));
        p.put("sym", Boolean.toString(settings.symmetric()));
        p.put("act_order", Boolean.toString(settings.actOrder()));
        p.put("damp_percent", Double.toString(settings.dampening()));
        p.put("block_size", Integer.toString(settings.blockSize()));
        p.put("true_sequential", Boolean.toString(run.trueSequential()));
        return p;
    }

    @Override
    public String shortName() {
        return "gptq-w" + settings.bits() + (settings.groupSize() > 0 ? "-g" + settings.groupSize() : "");
    }

    @Override
    public LayerCompressor newCompressor(boolean measureError) {
        return new GptqCompressor(settings);
    }
}
