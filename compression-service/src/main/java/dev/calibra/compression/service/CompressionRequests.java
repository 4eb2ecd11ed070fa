package dev.calibra.compression.service;

import dev.calibra.compression.output.OutputDtype;
import dev.calibra.compression.output.StorageFormat;
import dev.calibra.compression.spec.MethodSpec;
import dev.calibra.contract.MethodContracts;
import dev.calibra.contract.ServingTargets;
import dev.calibra.proto.v1.CompressRequest;
import dev.calibra.rpc.CalibraException;

/** CompressRequest -> validated domain values; every refusal is INVALID_ARGUMENT naming the field. */
public final class CompressionRequests {

    private CompressionRequests() {}

    /** The request's method record: the contract's rules, then the method's own (see {@link MethodSpec#from}). */
    public static MethodSpec spec(CompressRequest request) {
        try {
            return MethodSpec.from(request.getMethod(), ServingTargets.apply(request.getTarget(), request.getMethod(),
                    request.getFormat(), request.getParameters()));
        } catch (IllegalArgumentException e) {
            throw CalibraException.invalidArgument(e.getMessage());
        }
    }

    public static StorageFormat format(CompressRequest request, MethodSpec spec) {
        StorageFormat format = switch (request.getFormat()) {
            case OUTPUT_FORMAT_UNSPECIFIED, OUTPUT_FORMAT_AUTO -> StorageFormat.AUTO;
            case OUTPUT_FORMAT_GPTQ -> StorageFormat.GPTQ;
            case OUTPUT_FORMAT_AWQ -> StorageFormat.AWQ;
            case OUTPUT_FORMAT_COMPRESSED_TENSORS -> StorageFormat.COMPRESSED_TENSORS;
            case OUTPUT_FORMAT_DENSE -> StorageFormat.DENSE;
            case UNRECOGNIZED -> throw CalibraException.invalidArgument("format: unknown value " + request.getFormatValue());
        };
        MethodContracts.formatProblem(request.getMethod(), request.getFormat(), request.getParameters()).ifPresent(problem -> {
            throw CalibraException.invalidArgument(problem);
        });
        return format;
    }

    public static OutputDtype dtype(CompressRequest request) {
        return switch (request.getDtype()) {
            case OUTPUT_DTYPE_UNSPECIFIED, OUTPUT_DTYPE_BASE -> OutputDtype.BASE;
            case OUTPUT_DTYPE_FLOAT32 -> OutputDtype.FLOAT32;
            case UNRECOGNIZED -> throw CalibraException.invalidArgument("dtype: unknown value " + request.getDtypeValue());
        };
    }

    /** "cpu" (default) or "cuda" (the GPU when present, else the CPU: same code path). */
    public static boolean preferGpu(CompressRequest request) {
        return switch (request.getDevice()) {
            case "", "cpu" -> false;
            case "cuda", "gpu" -> true;
            default -> throw CalibraException.invalidArgument("device: must be cpu or cuda, got '" + request.getDevice() + "'");
        };
    }
}
