package dev.calibra.runtime.worker;

/** Thrown inside a job that must stop (cancelled, over its run time, or its lease lost); see {@link #leaseLost()}. */
public class JobStoppedException extends RuntimeException {

    private final boolean leaseLost;

    public JobStoppedException(String message) {
        this(message, false);
    }

    public JobStoppedException(String message, boolean leaseLost) {
        super(message);
        this.leaseLost = leaseLost;
    }

    /**
     * The job was not cancelled: this worker lost its lease, and another worker may own the job now and
     * need its checkpoints, so a stopping job must not clean them up.
     */
    public boolean leaseLost() {
        return leaseLost;
    }
}
