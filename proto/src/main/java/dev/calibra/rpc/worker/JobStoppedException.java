package dev.calibra.rpc.worker;

/** Thrown inside a job that must stop (cancelled, over its run time, or its lease lost). */
public class JobStoppedException extends RuntimeException {
    public JobStoppedException(String message) {
        super(message);
    }
}
