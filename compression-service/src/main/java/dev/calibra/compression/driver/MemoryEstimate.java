package dev.calibra.compression.driver;

import dev.calibra.compression.spec.AwqSpec;
import dev.calibra.compression.spec.MethodSpec;
import dev.calibra.model.decoder.DecoderSpec;
import dev.calibra.model.decoder.LinearSpec;
import dev.calibra.rpc.CalibraException;

/**
 * Bytes one compression run holds at its peak, from config.json alone: the calibration activations
 * (block input and output, float32 {@code [n_samples, seq_len, hidden]}), one block's weights (original and
 * compressed copy), one Hessian per linear being compressed at once ({@code in^2} float32, plus the
 * method's working copies, counted as 3 more of the largest), the temporaries of one forward chunk
 * (attention scores {@code batch x heads x seq^2} and the MLP's {@code batch x seq x intermediate}, a few each),
 * and writing the output: one checkpointed block read back and one output tensor being made. AWQ holds no
 * Hessians but every distinct linear input of a block instead. No Java-side term
 * grows with the number of blocks: the driver drops each compressed block once its checkpoint is written
 * ({@link DriverListener#keepsWeights}) and the writer streams the output tensor by tensor. Not counted: the
 * JVM's heap headroom and libtorch's runtime; at 7B layer shapes with a 2 GiB heap the process peaked 0.6 GiB
 * below this estimate, flat in the number of blocks (BENCHMARKS.md, peak memory).
 */
public record MemoryEstimate(long activationBytes, long weightBytes, long statisticBytes, long forwardBytes,
        long resultBytes, boolean awq) {

    public static MemoryEstimate of(DecoderSpec decoder, int nSamples, int seqLen, MethodSpec spec) {
        long hidden = decoder.dims().hidden();
        long inter = decoder.dims().intermediate();
        long activations = 2L * nSamples * seqLen * hidden * 4;
        long blockWeights = decoder.linearParameters() * 4;
        // one Hessian per linear of the widest group at once (true-sequential), else of every linear
        long hessians = 0;
        long largest = 0;
        java.util.Map<Integer, Long> byGroup = new java.util.HashMap<>();
        for (LinearSpec linear : decoder.linears()) {
            long square = (long) linear.inFeatures() * linear.inFeatures();
            byGroup.merge(linear.group(), square, Long::sum);
            hessians += square;
            largest = Math.max(largest, Math.max(linear.inFeatures(), linear.outFeatures()));
        }
        if (spec.run().trueSequential()) {
            hessians = byGroup.values().stream().mapToLong(Long::longValue).max().orElse(0);
        }
        long statistics = (hessians + 3 * largest * largest) * 4;
        if (spec instanceof AwqSpec) {
            // AWQ keeps each distinct linear input of the block (tokens x width), a sublayer's reference output and
            // its candidate's, and three float copies of the block's weights (original, scaled, candidate)
            long tokens = (long) nSamples * seqLen;
            long widths = AwqGroups.of(decoder).stream().mapToLong(AwqGroups.Group::width).sum();
            statistics = 4 * tokens * (widths + 2 * hidden) + 3 * blockWeights;
        }
        long batch = Math.min(nSamples, spec.run().batchSequences());
        long forward = 4L * batch * seqLen * (decoder.dims().heads() * (long) seqLen + 3 * inter + 4 * hidden);
        long results = blockWeights + hidden * inter * 4;
        return new MemoryEstimate(activations, 2 * blockWeights, statistics, forward, results, spec instanceof AwqSpec);
    }

    public long totalBytes() {
        return activationBytes + weightBytes + statisticBytes + forwardBytes + resultBytes;
    }

    /** RESOURCE_EXHAUSTED over {@code budgetBytes}, saying which request parameter to lower. */
    public void requireWithin(long budgetBytes) {
        if (totalBytes() <= budgetBytes) {
            return;
        }
        String advice = activationBytes >= forwardBytes
                ? "lower n_samples or seq_len of the calibration set (activations take " + mib(activationBytes) + ")"
                : "lower batch_size (one forward chunk takes " + mib(forwardBytes) + ")";
        if (statisticBytes > Math.max(activationBytes, forwardBytes)) {
            advice = awq ? "lower n_samples or seq_len of the calibration set (AWQ keeps a block's linear inputs: "
                    + mib(statisticBytes) + ")" : "use true_sequential (Hessians take " + mib(statisticBytes) + ")";
        }
        if (Math.max(weightBytes, resultBytes) > Math.max(statisticBytes, Math.max(activationBytes, forwardBytes))) {
            advice = "one block's weights take " + mib(weightBytes / 2) + ", so this model needs a larger budget; beyond "
                    + "that, " + advice;
        }
        throw new CalibraException(CalibraException.Kind.RESOURCE_EXHAUSTED, "compression needs about "
                + mib(totalBytes()) + ", over the budget of " + mib(budgetBytes)
                + " (calibra.compression.memory-budget-bytes): " + advice);
    }

    private static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / 1048576.0);
    }
}
