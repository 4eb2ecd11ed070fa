package dev.calibra.registry.job;

import dev.calibra.proto.v1.JobState;
import dev.calibra.proto.v1.JobType;
import dev.calibra.rpc.CalibraException;

/** Names stored in the job table, and their proto enums. */
public final class JobStates {

    public static final String PENDING = "PENDING";
    public static final String RUNNING = "RUNNING";
    public static final String SUCCEEDED = "SUCCEEDED";
    public static final String FAILED = "FAILED";
    public static final String CANCELLED = "CANCELLED";

    private JobStates() {}

    public static boolean isFinished(String state) {
        return SUCCEEDED.equals(state) || FAILED.equals(state) || CANCELLED.equals(state);
    }

    public static JobState toProto(String state) {
        return JobState.valueOf("JOB_STATE_" + state);
    }

    public static String fromProto(JobState state) {
        return switch (state) {
            case JOB_STATE_PENDING -> PENDING;
            case JOB_STATE_RUNNING -> RUNNING;
            case JOB_STATE_SUCCEEDED -> SUCCEEDED;
            case JOB_STATE_FAILED -> FAILED;
            case JOB_STATE_CANCELLED -> CANCELLED;
            case JOB_STATE_UNSPECIFIED, UNRECOGNIZED -> throw CalibraException.invalidArgument("state " + state + " is not a job state");
        };
    }

    public static JobType typeToProto(String type) {
        return JobType.valueOf("JOB_TYPE_" + type);
    }

    public static String typeFromProto(JobType type) {
        return switch (type) {
            case JOB_TYPE_CALIBRATE -> "CALIBRATE";
            case JOB_TYPE_COMPRESS -> "COMPRESS";
            case JOB_TYPE_EVALUATE -> "EVALUATE";
            case JOB_TYPE_UNSPECIFIED, UNRECOGNIZED -> throw CalibraException.invalidArgument("type " + type + " is not a job type");
        };
    }
}
