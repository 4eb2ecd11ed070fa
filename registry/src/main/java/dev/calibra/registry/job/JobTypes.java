package dev.calibra.registry.job;

import dev.calibra.proto.v1.JobType;
import dev.calibra.rpc.CalibraException;

/** Job type names stored in the job table, and their proto enums. */
public final class JobTypes {

    private JobTypes() {}

    public static JobType toProto(String type) {
        return JobType.valueOf("JOB_TYPE_" + type);
    }

    public static String fromProto(JobType type) {
        return switch (type) {
            case JOB_TYPE_CALIBRATE -> "CALIBRATE";
            case JOB_TYPE_COMPRESS -> "COMPRESS";
            case JOB_TYPE_EVALUATE -> "EVALUATE";
            case JOB_TYPE_UNSPECIFIED, UNRECOGNIZED -> throw CalibraException.invalidArgument("type " + type + " is not a job type");
        };
    }
}
