package dev.calibra.calibration.worker;

import dev.calibra.calibration.registry.RegistryClients;
import dev.calibra.calibration.service.CalibrationService;
import dev.calibra.proto.v1.JobType;
import dev.calibra.rpc.CalibraException;
import dev.calibra.rpc.worker.JobWorker;
import io.grpc.StatusRuntimeException;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import dev.calibra.calibration.observability.TracingJobScope;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Claims CALIBRATE jobs from the registry queue (when calibra.worker.enabled) and completes them with the set id. */
@ApplicationScoped
public class CalibrationWorker {

    /** Log context and the job's trace around every job this worker runs. */
    @Inject TracingJobScope scope;

    private final RegistryClients clients;
    private final CalibrationService service;
    private final boolean enabled;
    private JobWorker worker;

    public CalibrationWorker(RegistryClients clients, CalibrationService service,
            @ConfigProperty(name = "calibra.worker.enabled") boolean enabled) {
        this.clients = clients;
        this.service = service;
        this.enabled = enabled;
    }

    void start(@Observes StartupEvent event) throws Exception {
        if (!enabled) {
            return;
        }
        String workerId = "calibration-service@" + InetAddress.getLocalHost().getHostName() + ":" + ProcessHandle.current().pid();
        worker = new JobWorker(clients.jobs(), workerId, List.of(JobType.JOB_TYPE_CALIBRATE), (job, context) -> {
            if (!job.getSpec().hasCalibrate()) {
                throw CalibraException.invalidArgument("job " + job.getId() + " has no calibrate spec");
            }
            context.progress(0, "drawing " + job.getSpec().getCalibrate().getSpec().getStrategy() + " set");
            String id;
            try {
                id = service.sample(job.getSpec().getCalibrate(),
                        new CalibrationService.Producer(job.getId(), context.workerId(), job.getAttempts())).getId();
            } catch (StatusRuntimeException registryAnswer) {
                throw asFinal(registryAnswer);
            }
            context.progress(1, "registered " + id);
            return List.of(id);
        }, Duration.ofSeconds(1), 60);
        worker.withScope(scope).start();
    }

    /** A registry refusal (unknown corpus, bad spec) fails the job for good; anything else may be retried. */
    static RuntimeException asFinal(StatusRuntimeException error) {
        String message = error.getStatus().getDescription() == null ? error.getStatus().getCode().name()
                : error.getStatus().getDescription();
        return switch (error.getStatus().getCode()) {
            case INVALID_ARGUMENT -> new CalibraException(CalibraException.Kind.INVALID_ARGUMENT, message);
            case NOT_FOUND -> new CalibraException(CalibraException.Kind.NOT_FOUND, message);
            case FAILED_PRECONDITION -> new CalibraException(CalibraException.Kind.FAILED_PRECONDITION, message);
            case ALREADY_EXISTS -> new CalibraException(CalibraException.Kind.ALREADY_EXISTS, message);
            default -> error;
        };
    }

    void stop(@Observes ShutdownEvent event) {
        if (worker != null) {
            worker.close();
        }
    }
}
