package dev.calibra.runtime.worker;

/**
 * Thrown inside a job that must stop (cancelled, over its run time, or its lease lost); see
 * {@link #leaseLost()}. It extends proto's dev.calibra.rpc.worker.JobStoppedException only while
 * compression-service's domain code still names that one: the loop catches both as one type.
 */
public class JobStoppedException extends dev.calibra.rpc.worker.JobStoppedException {

    public JobStoppedException(String message) {
        super(message);
    }

    public JobStoppedException(String message, boolean leaseLost) {
        super(message, leaseLost);
    }
}
