package dev.calibra.runtime.worker;

import dev.calibra.rpc.CalibraException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Set;

/**
 * Whether a job's failure is final, and the sentence the job records: the one place that decides it
 * for every worker service. Bad input and registry refusals fail for good; trouble another attempt may
 * not have (a lost connection, a full disk freed later) is retried. A classified failure reads
 * "[CODE] sentence" so clients can map it back to a status (CompressCommand.failure does).
 */
public final class Failures {

    /** What a failed job records: its error text and whether the registry may queue it again. */
    public record Failure(String reason, boolean retryable) {}

    /** Prefix of every failure while the worker shuts down. */
    static final String STOPPED_WHILE_RUNNING = "the worker stopped while the job ran: ";

    /** Registry answers that another attempt would get again: the input or the caller is wrong. */
    private static final Set<Status.Code> FINAL_REGISTRY_CODES = Set.of(Status.Code.INVALID_ARGUMENT,
            Status.Code.NOT_FOUND, Status.Code.FAILED_PRECONDITION, Status.Code.ALREADY_EXISTS,
            Status.Code.PERMISSION_DENIED);

    private Failures() {}

    /**
     * @param error what the handler threw
     * @param closing whether the worker is shutting down: then an interrupted read or a closed channel
     *     caused the error, not the job, so it is always retried
     */
    public static Failure classify(Throwable error, boolean closing) {
        Failure failure = classify(error);
        return closing ? new Failure(STOPPED_WHILE_RUNNING + failure.reason(), true) : failure;
    }

    private static Failure classify(Throwable error) {
        if (error instanceof Error) {
            // OutOfMemoryError, StackOverflowError: run again, the job would take the next worker down too.
            String name = error.getClass().getSimpleName();
            return new Failure(error.getMessage() == null ? name : name + ": " + error.getMessage(), false);
        }
        if (error instanceof CalibraException) {
            CalibraException calibra = (CalibraException) error;
            return new Failure(coded(calibra.kind().name(), error), calibra.kind() == CalibraException.Kind.UNAVAILABLE);
        }
        if (error instanceof IllegalArgumentException) {
            return new Failure(coded("INVALID_ARGUMENT", error), false);
        }
        if (error instanceof StatusRuntimeException) {
            Status status = ((StatusRuntimeException) error).getStatus();
            String sentence = status.getDescription() == null ? "the registry answered " + status.getCode() : status.getDescription();
            return new Failure("[" + status.getCode() + "] " + sentence, !FINAL_REGISTRY_CODES.contains(status.getCode()));
        }
        return new Failure(message(error), true);
    }

    private static String coded(String code, Throwable error) {
        String message = message(error);
        // a handler may have coded its sentence already
        return message.startsWith("[" + code + "] ") ? message : "[" + code + "] " + message;
    }

    private static String message(Throwable error) {
        return error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    }
}
