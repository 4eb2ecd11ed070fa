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
            // Unset fields take the defaults; a set field is validated as given (an explicit 0 is refused).
            int bits = p.hasBits() ? p.getBits() : DEFAULT_BITS;
            int groupSize = p.hasGroupSize() ? p.getGroupSize() : -1;
            double damp = p.hasDampPercent() ? p.getDampPercent() : DEFAULT_DAMP;
            int block = p.hasBlockSize() ? p.getBlockSize() : DEFAULT_BLOCK;
            int batch = p.hasBatchSize() ? p.getBatchSize() : DEFAULT_BATCH;
            if (method.isQuantization() && bits != 2 && bits != 3 && bits != 4 && bits != 8) {
                throw new IllegalArgumentException("bits: must be 2, 3, 4 or 8, got " + bits);
            }
            if (groupSize != -1 && groupSize <= 0) {
                throw new IllegalArgumentException("group_size: must be -1 (per channel) or > 0, got " + groupSize);
            }
            if (!(damp > 0 && damp <= 1)) {
                throw new IllegalArgumentException("damp_percent: must be in (0, 1], got " + damp);
            }
            if (block <= 0) {
                throw new IllegalArgumentException("block_size: must be > 0, got " + block);
            }
            SparsityPattern pattern = method.isQuantization() ? quantizationHasNoPattern(method, p) : pattern(p);
            if (!method.isQuantization() && (p.hasBits() || p.hasGroupSize() || p.getSym() || p.getActOrder())) {
                throw new IllegalArgumentException((p.hasBits() ? "bits" : p.hasGroupSize() ? "group_size" : p.getSym() ? "sym" : "act_order")
                        + ": " + method.wireName() + " prunes; bits, group_size, sym and act_order apply to gptq and rtn");
            }
            if (method != Method.GPTQ && method != Method.SPARSEGPT && (p.hasDampPercent() || p.hasBlockSize())) {
                throw new IllegalArgumentException((p.hasDampPercent() ? "damp_percent" : "block_size") + ": applies to gptq and "
                        + "sparsegpt (the Hessian-based methods), not " + method.wireName());
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
        if (p.hasSparsity() || p.hasPruneN() || p.hasPruneM()) {
            throw new IllegalArgumentException("sparsity: " + method.wireName()
                    + " quantizes; sparsity, prune_n and prune_m apply to magnitude, wanda and sparsegpt");
        }
        return null;
    }

    private static SparsityPattern pattern(CompressionParameters p) {
        if (p.hasPruneN() || p.hasPruneM()) {
            if (p.hasSparsity()) {
                throw new IllegalArgumentException("sparsity: give either sparsity or prune_n:prune_m, not both");
            }
            if (!p.hasPruneN() || !p.hasPruneM() || p.getPruneN() <= 0 || p.getPruneN() >= p.getPruneM()) {
                throw new IllegalArgumentException("prune_n: N:M needs 0 < N < M, got " + p.getPruneN() + ":" + p.getPruneM());
            }
            return new SparsityPattern.NOfM(p.getPruneN(), p.getPruneM());
        }
        if (!p.hasSparsity()) {
            throw new IllegalArgumentException("sparsity: pruning needs a sparsity in (0, 1) or prune_n:prune_m");
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
