package dev.calibra.rpc.worker;

/**
 * Thrown inside a job that must stop (cancelled, over its run time, or its lease lost). Its home is
 * service-runtime's dev.calibra.runtime.worker.JobStoppedException (a subclass, what JobContext.checkStop
 * throws); this one stays until compression-service's domain code imports that, then goes.
 */
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
