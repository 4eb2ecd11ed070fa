package dev.calibra.compression.worker;

import dev.calibra.compression.service.CompressionService;
import dev.calibra.compression.service.RunObserver;
import dev.calibra.proto.v1.CompressResult;
import dev.calibra.proto.v1.Job;
import dev.calibra.proto.v1.JobType;
import dev.calibra.proto.v1.Progress;
import dev.calibra.rpc.CalibraException;
import dev.calibra.runtime.worker.JobContext;
import dev.calibra.runtime.worker.ServiceJobHandler;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * Runs COMPRESS jobs (service-runtime's WorkerRuntime claims them) and completes them with the new model's
 * id. Progress and a checkpoint after every block go out with the heartbeats; a job that another worker
 * started resumes from its last checkpoint.
 */
@ApplicationScoped
public class CompressionJobHandler implements ServiceJobHandler {

    private final CompressionService service;

    public CompressionJobHandler(CompressionService service) {
        this.service = service;
    }

    @Override
    public List<JobType> types() {
        return List.of(JobType.JOB_TYPE_COMPRESS);
    }

    @Override
    public String serviceName() {
        return "compression-service";
    }

    /** A failure's "[CODE] sentence" is written by service-runtime's Failures, for every service alike. */
    @Override
    public List<String> run(Job job, JobContext context) throws Exception {
        if (!job.getSpec().hasCompress()) {
            throw CalibraException.invalidArgument("job " + job.getId() + " has no compress spec");
        }
        context.progress(0, "starting " + job.getSpec().getCompress().getMethod());
        CompressResult result = service.compress(job.getSpec().getCompress(), job.getId(), observer(job, context));
        context.progress(1, "registered " + result.getModel().getId());
        return List.of(result.getModel().getId());
    }

    /** The queue seen from a run: progress, checkpoints and stops, and whether a failure would be retried. */
    static RunObserver observer(Job job, JobContext context) {
        // the registry requeues a retryable failure only while attempts < max_attempts (attempts counts this claim)
        boolean retriesLeft = job.getAttempts() < job.getMaxAttempts();
        return new RunObserver() {
            @Override
            public void progress(Progress progress) {
                context.progress(progress.getFraction(), progress.getMessage());
            }

            @Override
            public void checkStop() {
                context.checkStop();
            }

            @Override
            public void checkpoint(String uri) {
                context.checkpoint(uri);
            }

            @Override
            public String resumeFrom() {
                return context.resumeFrom();
            }

            @Override
            public String workerId() {
                return context.workerId();
            }

            @Override
            public int attempt() {
                return job.getAttempts();
            }

            @Override
            public boolean retriesLeft() {
                return retriesLeft;
            }
        };
    }
}
