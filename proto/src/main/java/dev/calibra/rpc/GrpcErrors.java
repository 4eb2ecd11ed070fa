package dev.calibra.rpc;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.io.FileNotFoundException;
import java.nio.file.NoSuchFileException;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The one place where exceptions become gRPC statuses: domain errors keep their sentence, bugs become INTERNAL. */
public final class GrpcErrors {

    private static final Logger LOG = Logger.getLogger(GrpcErrors.class.getName());

    private GrpcErrors() {}

    public static StatusRuntimeException toStatus(Throwable error) {
        if (error instanceof StatusRuntimeException status) {
            return status;
        }
        if (error instanceof StatusException status) {
            return status.getStatus().asRuntimeException(status.getTrailers());
        }
        if (error instanceof CalibraException calibra) {
            return Status.fromCode(calibra.kind().code()).withDescription(calibra.getMessage()).asRuntimeException();
        }
        if (error instanceof IllegalArgumentException invalid) {
            // Settings records and parsers validate with IllegalArgumentException naming the field.
            return Status.INVALID_ARGUMENT.withDescription(invalid.getMessage()).asRuntimeException();
        }
        if (error instanceof java.io.IOException && error.getClass().getSimpleName().endsWith("FormatException")) {
            // model-core's ModelFormatException and the corpus/task readers' format errors (proto cannot name
            // their types): a bad file named by the caller, described with its file and byte.
            return Status.INVALID_ARGUMENT.withDescription(error.getMessage()).asRuntimeException();
        }
        if (error instanceof NoSuchFileException || error instanceof FileNotFoundException) {
            return Status.INVALID_ARGUMENT.withDescription("no such file: " + error.getMessage()).asRuntimeException();
        }
        if (databaseUnreachable(error)) {
            // PostgreSQL is restarting or away: a condition the client retries, not a bug.
            LOG.warning("database unreachable while serving a call: " + error);
            return Status.UNAVAILABLE.withDescription("the database is unavailable; retry shortly").asRuntimeException();
        }
        LOG.log(Level.SEVERE, "unexpected error while serving a call", error);
        return Status.INTERNAL.withDescription("internal error (" + error.getClass().getSimpleName()
                + "); see the service log").asRuntimeException();
    }

    /** A JDBC connection failure anywhere in the cause chain (SQLState class 08, "connection exception"). */
    static boolean databaseUnreachable(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof java.sql.SQLTransientConnectionException || cause instanceof java.sql.SQLNonTransientConnectionException) {
                return true;
            }
            if (cause instanceof java.sql.SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("08")) {
                return true;
            }
        }
        return false;
    }
}
