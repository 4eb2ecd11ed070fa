package dev.calibra.registry.study;

import dev.calibra.proto.v1.JobSpec;
import dev.calibra.proto.v1.JobType;
import java.util.List;

/**
 * One cell of a study's grid: the job that serves it, keyed by a request id derived from the job's
 * spec and its dependencies, and the labels of the cell (empty / -1 where they do not apply).
 */
public record PlannedJob(String requestId, JobType type, JobSpec spec, List<String> dependsOn,
        String model, String method, String source, int setIndex) {}
