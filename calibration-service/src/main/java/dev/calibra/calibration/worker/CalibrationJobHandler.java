package dev.calibra.calibration.worker;

import dev.calibra.calibration.service.CalibrationService;
import dev.calibra.proto.v1.Job;
import dev.calibra.proto.v1.JobType;
import dev.calibra.rpc.CalibraException;
import dev.calibra.runtime.worker.JobContext;
import dev.calibra.runtime.worker.ServiceJobHandler;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * Runs CALIBRATE jobs (service-runtime's WorkerRuntime claims them) and completes them with the set id. A
 * registry refusal (unknown corpus, bad spec) fails the job for good: service-runtime's Failures decides.
 */
@ApplicationScoped
public class CalibrationJobHandler implements ServiceJobHandler {

    private final CalibrationService service;

    public CalibrationJobHandler(CalibrationService service) {
        this.service = service;
    }

    @Override
    public List<JobType> types() {
        return List.of(JobType.JOB_TYPE_CALIBRATE);
    }

    @Override
    public String serviceName() {
        return "calibration-service";
    }

    @Override
    public List<String> run(Job job, JobContext context) throws Exception {
        if (!job.getSpec().hasCalibrate()) {
            throw CalibraException.invalidArgument("job " + job.getId() + " has no calibrate spec");
        }
        context.progress(0, "drawing " + job.getSpec().getCalibrate().getSpec().getStrategy() + " set");
        String id = service.sample(job.getSpec().getCalibrate(),
                new CalibrationService.Producer(job.getId(), context.workerId(), job.getAttempts())).getId();
        context.progress(1, "registered " + id);
        return List.of(id);
    }
}
