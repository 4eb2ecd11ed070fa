package dev.calibra.compression.spec;

import dev.calibra.compression.method.LayerCompressor;
import dev.calibra.compression.method.SpqrCompressor;
import dev.calibra.compression.method.SpqrSettings;
import dev.calibra.contract.MethodContracts;
import dev.calibra.proto.v1.MethodInfo;
import java.util.LinkedHashMap;
import java.util.Map;

/** SpQR (Vahe1994/SpQR spqr_engine.py): its settings and the run's. */
public record SpqrSpec(SpqrSettings settings, RunSettings run) implements MethodSpec {

    static SpqrSpec of(Parameters p) {
        return new SpqrSpec(new SpqrSettings(p.integer("bits"), p.integer("group_size"), p.integer("qq_scale_bits"),
                p.integer("qq_zero_bits"), p.integer("qq_group_size"), p.number("outlier_threshold"), p.flag("act_order"),
                p.number("damp_percent"), p.integer("block_size")), p.run());
    }

    /** The SpQR README's recipe (tests, benchmarks). */
    public static SpqrSpec readme() {
        return new SpqrSpec(SpqrSettings.readme(), new RunSettings(false, 8));
    }

    @Override
    public MethodSpec withRun(RunSettings other) {
        return new SpqrSpec(settings, other);
    }

    @Override
    public MethodInfo contract() {
        return MethodContracts.require("spqr");
    }

    @Override
    public Map<String, String> parameters() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("bits", Integer.toString(settings.bits()));
        p.put("group_size", Integer.toString(settings.groupSize()));
        p.put("qq_scale_bits", Integer.toString(settings.qqScaleBits()));
        p.put("qq_zero_bits", Integer.toString(settings.qqZeroBits()));
        p.put("qq_group_size", Integer.toString(settings.qqGroupSize()));
        p.put("outlier_threshold", Double.toString(settings.outlierThreshold()));
        p.put("act_order", Boolean.toString(settings.actOrder()));
        p.put("damp_percent", Double.toString(settings.dampening()));
        p.put("block_size", Integer.toString(settings.blockSize()));
        p.put("true_sequential", Boolean.toString(run.trueSequential()));
        return p;
    }

    @Override
    public String shortName() {
        return "spqr-w" + settings.bits() + "-g" + settings.groupSize();
    }

    @Override
    public LayerCompressor newCompressor(boolean measureError) {
        return new SpqrCompressor(settings);
    }
}
