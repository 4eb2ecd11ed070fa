package dev.calibra.rpc.worker;

/** What a running job can tell the queue, and hear from it. */
public interface JobContext {

    /** Reports progress; sent with the next heartbeat. */
    void progress(double fraction, String message);

    /** Records a checkpoint the job can resume from on another worker. */
    void checkpoint(String uri);

    /** The checkpoint a previous attempt left, or empty. */
    String resumeFrom();

    /** Whether the job was cancelled or lost its lease; long work checks it between steps. */
    boolean stopRequested();

    /** Throws {@link JobStoppedException} when {@link #stopRequested()}. */
    default void checkStop() {
        if (stopRequested()) {
            throw new JobStoppedException("the job was cancelled or its lease was lost");
        }
    }
}
