package dev.calibra.compression.service;

import dev.calibra.compression.driver.CompressionSpec;
import dev.calibra.compression.driver.Method;
import dev.calibra.compression.method.SparsityPattern;
import dev.calibra.compression.output.StorageFormat;
import dev.calibra.proto.v1.CompressRequest;
import dev.calibra.proto.v1.CompressionParameters;
import dev.calibra.rpc.CalibraException;

/** CompressRequest -> validated domain values; every refusal is INVALID_ARGUMENT naming the field. */
public final class CompressionRequests {

    static final int DEFAULT_BITS = 4;
    static final double DEFAULT_DAMP = 0.01;
    static final int DEFAULT_BLOCK = 128;
    static final int DEFAULT_BATCH = 8;

    private CompressionRequests() {}

    public static CompressionSpec spec(CompressRequest request) {
        try {
            Method method = Method.fromWireName(request.getMethod());
            CompressionParameters p = request.getParameters();
            int bits = p.getBits() == 0 ? DEFAULT_BITS : p.getBits();
            int groupSize = p.getGroupSize() == 0 ? -1 : p.getGroupSize();
            double damp = p.getDampPercent() == 0 ? DEFAULT_DAMP : p.getDampPercent();
            int block = p.getBlockSize() == 0 ? DEFAULT_BLOCK : p.getBlockSize();
            int batch = p.getBatchSize() == 0 ? DEFAULT_BATCH : p.getBatchSize();
            SparsityPattern pattern = method.isQuantization() ? quantizationHasNoPattern(method, p) : pattern(p);
            if (!method.isQuantization() && (p.getBits() != 0 || p.getSym() || p.getActOrder())) {
                throw new IllegalArgumentException("bits: " + method.wireName() + " prunes; bits, sym and act_order apply to gptq and rtn");
            }
            if (method == Method.RTN && p.getActOrder()) {
                throw new IllegalArgumentException("act_order: applies to gptq only");
            }
            return new CompressionSpec(method, method.isQuantization() ? bits : 0, groupSize, p.getSym(),
                    p.getActOrder(), damp, block, pattern, p.getTrueSequential(), batch);
        } catch (IllegalArgumentException e) {
            throw CalibraException.invalidArgument(e.getMessage());
        }
    }

    private static SparsityPattern quantizationHasNoPattern(Method method, CompressionParameters p) {
        if (p.getSparsity() != 0 || p.getPruneN() != 0 || p.getPruneM() != 0) {
            throw new IllegalArgumentException("sparsity: " + method.wireName()
                    + " quantizes; sparsity, prune_n and prune_m apply to magnitude, wanda and sparsegpt");
        }
        return null;
    }

    private static SparsityPattern pattern(CompressionParameters p) {
        if (p.getPruneN() != 0 || p.getPruneM() != 0) {
            if (p.getSparsity() != 0) {
                throw new IllegalArgumentException("sparsity: give either sparsity or prune_n:prune_m, not both");
            }
            if (p.getPruneN() <= 0 || p.getPruneN() >= p.getPruneM()) {
                throw new IllegalArgumentException("prune_n: N:M needs 0 < N < M, got " + p.getPruneN() + ":" + p.getPruneM());
            }
            return new SparsityPattern.NOfM(p.getPruneN(), p.getPruneM());
        }
        if (!(p.getSparsity() > 0 && p.getSparsity() < 1)) {
            throw new IllegalArgumentException("sparsity: must be in (0, 1), got " + p.getSparsity());
        }
        return new SparsityPattern.Unstructured(p.getSparsity());
    }

    public static StorageFormat format(CompressRequest request, CompressionSpec spec) {
        StorageFormat format = switch (request.getFormat()) {
            case OUTPUT_FORMAT_UNSPECIFIED, OUTPUT_FORMAT_AUTO -> StorageFormat.AUTO;
            case OUTPUT_FORMAT_GPTQ -> StorageFormat.GPTQ;
            case OUTPUT_FORMAT_DENSE -> StorageFormat.DENSE;
            case UNRECOGNIZED -> throw CalibraException.invalidArgument("format: unknown value " + request.getFormatValue());
        };
        if (format == StorageFormat.GPTQ && !spec.method().isQuantization()) {
            throw CalibraException.invalidArgument("format: gptq packs quantized weights; " + spec.method().wireName()
                    + " prunes (use auto or dense)");
        }
        return format;
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
