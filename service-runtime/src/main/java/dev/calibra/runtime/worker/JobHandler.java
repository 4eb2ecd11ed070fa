package dev.calibra.runtime.worker;

import dev.calibra.proto.v1.Job;
import java.util.List;

/** Runs one claimed job and returns the ids of what it produced. */
@FunctionalInterface
public interface JobHandler {

    /**
     * Throw {@link dev.calibra.rpc.CalibraException} for bad input (the job fails for good) and any
     * other exception for trouble another attempt may not have (the job is retried); {@link Failures}
     * decides which is which.
     */
    List<String> run(Job job, JobContext context) throws Exception;
}
