package dev.calibra.cli.report;

import dev.calibra.proto.v1.JobState;
import dev.calibra.proto.v1.Study;
import dev.calibra.proto.v1.StudyJob;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * A rough forecast of a study's cost on CPU, for `study plan`: forward passes cost about
 * 2 x parameters FLOPs per token at an assumed sustained rate; compression is a forward pass over the
 * calibration tokens plus per-layer solves; disk is a dense copy of the model per compression and
 * 4 bytes per calibration token. Work that already finished costs nothing.
 */
public final class StudyEstimate {

    /** Sustained FLOP/s of the small-batch CPU path (an assumption, not a measurement). */
    static final double FLOPS_PER_SECOND = 2e9;
    /** Fixed cost per job: loading the model, tokenizer and data. */
    static final double SECONDS_PER_JOB = 3;
    /** Tokens one evaluation example scores (context + continuation, all choices), on average. */
    static final int TOKENS_PER_EXAMPLE = 200;

    public record Estimate(int newJobs, int existingJobs, double seconds, long diskBytes) {
        public String describe() {
            return String.format(Locale.ROOT, "%d job(s) to run, %d already done; about %s of CPU time and %s of disk "
                    + "(rough: assumes %.0f GFLOP/s)", newJobs, existingJobs, duration(seconds), bytes(diskBytes), FLOPS_PER_SECOND / 1e9);
        }
    }

    private StudyEstimate() {}

    public static Estimate of(Study plan, long parameters) {
        Set<String> seen = new HashSet<>();
        int fresh = 0;
        int existing = 0;
        double seconds = 0;
        long disk = 0;
        for (StudyJob job : plan.getJobsList()) {
            if (!seen.add(job.getRequestId())) {
                continue;
            }
            // Finished work is reused for free; queued work (another study's) still has to run.
            if (job.getState() == JobState.JOB_STATE_SUCCEEDED) {
                existing++;
                continue;
            }
            fresh++;
            seconds += SECONDS_PER_JOB;
            switch (job.getType()) {
                case JOB_TYPE_CALIBRATE -> {
                    var spec = job.getSpec().getCalibrate().getSpec();
                    long tokens = (long) spec.getNSamples() * spec.getSeqLen();
                    // self_generated runs one forward pass per generated token.
                    double passes = spec.getStrategy().equals("self_generated") ? spec.getSeqLen() : 1;
                    seconds += 2.0 * parameters * tokens * passes / FLOPS_PER_SECOND;
                    disk += tokens * 4;
                }
                case JOB_TYPE_COMPRESS -> {
                    seconds += 2.0 * parameters * 256 * 32 * 3 / FLOPS_PER_SECOND;
                    disk += parameters * 4;
                }
                case JOB_TYPE_EVALUATE -> {
                    var evaluate = job.getSpec().getEvaluate();
                    long tokens = (long) evaluate.getTasksCount() * Math.max(1, evaluate.getLimit() == 0 ? 1000 : evaluate.getLimit())
                            * TOKENS_PER_EXAMPLE;
                    for (var text : evaluate.getPerplexityList()) {
                        tokens += text.getMaxTokens() == 0 ? 300_000 : text.getMaxTokens();
                    }
                    seconds += 2.0 * parameters * tokens / FLOPS_PER_SECOND;
                }
                default -> throw new IllegalArgumentException("job type " + job.getType() + " has no estimate");
            }
        }
        return new Estimate(fresh, existing, seconds, disk);
    }

    static String duration(double seconds) {
        return seconds < 120 ? String.format(Locale.ROOT, "%.0f s", seconds)
                : seconds < 7200 ? String.format(Locale.ROOT, "%.0f min", seconds / 60) : String.format(Locale.ROOT, "%.1f h", seconds / 3600);
    }

    static String bytes(long bytes) {
        return bytes < 1 << 20 ? String.format(Locale.ROOT, "%.0f KiB", bytes / 1024.0)
                : bytes < 1L << 30 ? String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0)
                : String.format(Locale.ROOT, "%.1f GiB", bytes / 1073741824.0);
    }
}
