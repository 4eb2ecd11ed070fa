package dev.calibra.runtime.worker;

import dev.calibra.proto.v1.JobType;
import java.util.List;

/**
 * A worker service's one handler bean: what it runs, for which job types, under which service name.
 * {@link WorkerRuntime} finds it and runs the queue loop for it; the service writes nothing else.
 */
public interface ServiceJobHandler extends JobHandler {

    /** The job types this service claims. */
    List<JobType> types();

    /** The service's name, the first part of its worker ids ("calibration-service"). */
    String serviceName();
}
