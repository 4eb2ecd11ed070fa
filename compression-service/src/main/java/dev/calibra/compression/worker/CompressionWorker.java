package dev.calibra.compression.worker;

import dev.calibra.compression.registry.RegistryClients;
import dev.calibra.compression.service.CompressionService;
import dev.calibra.compression.service.RunObserver;
import dev.calibra.proto.v1.CompressResult;
import dev.calibra.proto.v1.Job;
import dev.calibra.proto.v1.JobType;
import dev.calibra.proto.v1.Progress;
import dev.calibra.rpc.CalibraException;
import dev.calibra.rpc.worker.JobContext;
import dev.calibra.rpc.worker.JobWorker;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import dev.calibra.compression.observability.TracingJobScope;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Claims COMPRESS jobs from the registry queue (when calibra.worker.enabled) and completes them with the
 * new model's id. Progress and a checkpoint after every block go out with the heartbeats; a job that
 * another worker started resumes from its last checkpoint.
 */
@ApplicationScoped
public class CompressionWorker {

    /** Log context and the job's trace around every job this worker runs. */
    @Inject TracingJobScope scope;

    private final RegistryClients clients;
    private final CompressionService service;
    private final boolean enabled;
    private final int leaseSeconds;
    private JobWorker worker;

    public CompressionWorker(RegistryClients clients, CompressionService service,
            @ConfigProperty(name = "calibra.worker.enabled") boolean enabled,
            @ConfigProperty(name = "calibra.worker.lease-seconds", defaultValue = "30") int leaseSeconds) {
        this.clients = clients;
        this.service = service;
        this.enabled = enabled;
        this.leaseSeconds = leaseSeconds;
    }

    void start(@Observes StartupEvent event) throws Exception {
        if (!enabled) {
            return;
        }
        String workerId = "compression-service@" + InetAddress.getLocalHost().getHostName() + ":"
                + ProcessHandle.current().pid();
        worker = new JobWorker(clients.jobs(), workerId, List.of(JobType.JOB_TYPE_COMPRESS), (job, context) -> {
            if (!job.getSpec().hasCompress()) {
                throw CalibraException.invalidArgument("job " + job.getId() + " has no compress spec");
            }
            context.progress(0, "starting " + job.getSpec().getCompress().getMethod());
            CompressResult result;
            try {
                result = service.compress(job.getSpec().getCompress(), job.getId(), observer(job, context));
            } catch (CalibraException e) {
                // the job's error is a string: keep the status code in it, "[CODE] sentence", for clients
                throw new CalibraException(e.kind(), "[" + e.kind().name() + "] " + e.getMessage(), e);
            } catch (IllegalArgumentException e) {
                throw CalibraException.invalidArgument("[INVALID_ARGUMENT] " + e.getMessage());
            }
            context.progress(1, "registered " + result.getModel().getId());
            return List.of(result.getModel().getId());
        }, Duration.ofSeconds(1), leaseSeconds);
        worker.withScope(scope).start();
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

    void stop(@Observes ShutdownEvent event) {
        if (worker != null) {
            worker.close();
        }
    }
}
