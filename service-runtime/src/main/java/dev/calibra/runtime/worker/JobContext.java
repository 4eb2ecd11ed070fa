package dev.calibra.runtime.worker;

/** What a running job can tell the queue, and hear from it. */
public interface JobContext {

    /** The id of the worker holding the job's lease ("" outside a worker). */
    default String workerId() {
        return "";
    }

    /** Reports progress; sent with the next heartbeat. */
    void progress(double fraction, String message);

    /** Records a checkpoint the job can resume from on another worker. */
    void checkpoint(String uri);

    /** The checkpoint a previous attempt left, or empty. */
    String resumeFrom();

    /** Whether the job was cancelled or lost its lease; long work checks it between steps. */
    boolean stopRequested();

    /** Whether the stop is a lost lease (another worker may hold the job) rather than a cancellation. */
    default boolean leaseLost() {
        return false;
    }

    /** Throws {@link JobStoppedException} when {@link #stopRequested()}. */
    default void checkStop() {
        if (stopRequested()) {
            throw leaseLost()
                    ? new JobStoppedException("this worker lost the job's lease; another worker may run it now", true)
                    : new JobStoppedException("the job was cancelled or ran past its limits");
        }
    }
}
