package dev.calibra.compression.service;

import dev.calibra.proto.v1.LayerReport;
import dev.calibra.proto.v1.Progress;

/** Who watches one compression run: a streaming caller, or the job queue (progress, checkpoints, stop). */
public interface RunObserver {

    default void progress(Progress progress) {}

    default void layer(LayerReport report) {}

    /** Throws when the run must stop; called before every linear. */
    default void checkStop() {}

    /** A checkpoint (URI of the last finished block's file) was written. */
    default void checkpoint(String uri) {}

    /**
     * Whether the job queue runs this job again after a retryable failure (its attempts are not used up).
     * Only then does a failed run keep its checkpoint; a direct call has no next attempt.
     */
    default boolean retriesLeft() {
        return false;
    }

    /** The worker whose claim this run is, or "" for a direct call (see RegisterModelRequest.producing_worker_id). */
    default String workerId() {
        return "";
    }

    /** The claim's number ({@code Job.attempts} when claimed); 0 for a direct call. */
    default int attempt() {
        return 0;
    }

    /** The checkpoint an earlier attempt left, or "". */
    default String resumeFrom() {
        return "";
    }
}
