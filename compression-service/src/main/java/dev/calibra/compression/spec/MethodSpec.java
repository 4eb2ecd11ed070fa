package dev.calibra.compression.spec;

import dev.calibra.compression.method.LayerCompressor;
import dev.calibra.contract.MethodContracts;
import dev.calibra.proto.v1.CompressionParameters;
import dev.calibra.proto.v1.MethodInfo;
import java.util.Map;

/**
 * One compression request as its method reads it: one record per method, with its resolved parameters (the
 * request's, else the contract's defaults), the checks a rule table cannot express, the parameters recorded
 * in the lineage and report, and the compressor it makes. The contract (compression.proto's
 * {@code method_info}) holds each method's name, parameter list, defaults and ranges; {@link #from} checks
 * a request against it first, so nothing here repeats it.
 */
public sealed interface MethodSpec permits GptqSpec, RtnSpec, SpqrSpec, AwqSpec, SparseGptSpec, WandaSpec, MagnitudeSpec {

    /** The method's contract: name, kind, whether it reads calibration data, reference. */
    MethodInfo contract();

    /** Parameters of the run itself: true-sequential capture and the forward batch. */
    RunSettings run();

    /** Every parameter that shapes the result, as strings (the registry's lineage and the report). */
    Map<String, String> parameters();

    /** A short name part, e.g. "gptq-w4-g128", "sparsegpt-2of4". */
    String shortName();

    /**
     * A fresh compressor for one linear. With {@code measureError} data-free methods also accumulate what
     * they need to report their reconstruction error.
     */
    LayerCompressor newCompressor(boolean measureError);

    /** The same method and parameters, run differently. */
    MethodSpec withRun(RunSettings run);

    default MethodSpec withTrueSequential(boolean trueSequential) {
        return withRun(run().withTrueSequential(trueSequential));
    }

    default String name() {
        return contract().getName();
    }

    default boolean quantization() {
        return contract().getKind().equals("quantization");
    }

    default boolean needsCalibration() {
        return contract().getNeedsCalibration();
    }

    default String reference() {
        return contract().getReference();
    }

    /** The request's method and parameters, checked against the contract, then by the method's record. */
    static MethodSpec from(String method, CompressionParameters parameters) {
        MethodContracts.check(method, parameters);
        Parameters p = new Parameters(method, parameters);
        return switch (method) {
            case "gptq" -> GptqSpec.of(p);
            case "rtn" -> RtnSpec.of(p);
            case "spqr" -> SpqrSpec.of(p);
            case "awq" -> AwqSpec.of(p);
            case "sparsegpt" -> SparseGptSpec.of(p);
            case "wanda" -> WandaSpec.of(p);
            case "magnitude" -> MagnitudeSpec.of(p);
            default -> throw new IllegalArgumentException("method: '" + method + "' is in the contract but has no record here");
        };
    }
}
