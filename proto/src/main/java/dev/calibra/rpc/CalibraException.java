package dev.calibra.rpc;

import io.grpc.Status;

/**
 * A domain error with the gRPC status it leaves a service as. The message is the human sentence the
 * client sees, so it must name the field, file or byte at fault; stack traces never leave the server.
 */
public class CalibraException extends RuntimeException {

    /** The kinds of failure Calibra reports, each with its gRPC code (DESIGN.md, "Errors"). */
    public enum Kind {
        INVALID_ARGUMENT(Status.Code.INVALID_ARGUMENT),
        NOT_FOUND(Status.Code.NOT_FOUND),
        ALREADY_EXISTS(Status.Code.ALREADY_EXISTS),
        FAILED_PRECONDITION(Status.Code.FAILED_PRECONDITION),
        RESOURCE_EXHAUSTED(Status.Code.RESOURCE_EXHAUSTED),
        UNAUTHENTICATED(Status.Code.UNAUTHENTICATED),
        PERMISSION_DENIED(Status.Code.PERMISSION_DENIED),
        UNAVAILABLE(Status.Code.UNAVAILABLE),
        CANCELLED(Status.Code.CANCELLED),
        UNIMPLEMENTED(Status.Code.UNIMPLEMENTED),
        DATA_LOSS(Status.Code.DATA_LOSS),
        INTERNAL(Status.Code.INTERNAL);

        private final Status.Code code;

        Kind(Status.Code code) {
            this.code = code;
        }

        public Status.Code code() {
            return code;
        }
    }

    private final Kind kind;

    public CalibraException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public CalibraException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public static CalibraException invalidArgument(String message) {
        return new CalibraException(Kind.INVALID_ARGUMENT, message);
    }

    public static CalibraException notFound(String message) {
        return new CalibraException(Kind.NOT_FOUND, message);
    }

    public static CalibraException alreadyExists(String message) {
        return new CalibraException(Kind.ALREADY_EXISTS, message);
    }

    public static CalibraException failedPrecondition(String message) {
        return new CalibraException(Kind.FAILED_PRECONDITION, message);
    }

    /** What was read differs from its record (a model folder or a set changed after registration): fails for good. */
    public static CalibraException dataLoss(String message) {
        return new CalibraException(Kind.DATA_LOSS, message);
    }

    public static CalibraException unimplemented(String what) {
        return new CalibraException(Kind.UNIMPLEMENTED, what + " is not available in this Calibra version yet");
    }
}
