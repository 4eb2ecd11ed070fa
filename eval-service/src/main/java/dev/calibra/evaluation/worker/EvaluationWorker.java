package dev.calibra.evaluation.worker;

import dev.calibra.evaluation.registry.RegistryClients;
import dev.calibra.evaluation.service.Evaluator;
import dev.calibra.proto.v1.Job;
import dev.calibra.proto.v1.JobType;
import dev.calibra.proto.v1.Score;
import dev.calibra.rpc.CalibraException;
import dev.calibra.rpc.worker.JobContext;
import dev.calibra.rpc.worker.JobWorker;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import dev.calibra.evaluation.observability.TracingJobScope;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Claims EVALUATE jobs from the registry queue (when calibra.worker.enabled) and completes them with score ids. */
@ApplicationScoped
public class EvaluationWorker {

    /** Log context and the job's trace around every job this worker runs. */
    @Inject TracingJobScope scope;

    private static final int LEASE_SECONDS = 60;

    private final RegistryClients clients;
    private final Evaluator evaluator;
    private final boolean enabled;
    private JobWorker worker;

    public EvaluationWorker(RegistryClients clients, Evaluator evaluator,
            @ConfigProperty(name = "calibra.worker.enabled") boolean enabled) {
        this.clients = clients;
        this.evaluator = evaluator;
        this.enabled = enabled;
    }

    void start(@Observes StartupEvent event) {
        if (!enabled) {
            return;
        }
        worker = new JobWorker(clients.jobs(), "eval-service@" + hostname() + ":" + ProcessHandle.current().pid(),
                List.of(JobType.JOB_TYPE_EVALUATE), this::run, Duration.ofSeconds(1), LEASE_SECONDS);
        worker.withScope(scope).start();
    }

    void stop(@Observes ShutdownEvent event) {
        if (worker != null) {
            worker.close();
        }
    }

    List<String> run(Job job, JobContext context) throws Exception {
        if (!job.getSpec().hasEvaluate()) {
            throw CalibraException.invalidArgument("job " + job.getId() + " has no evaluate spec");
        }
        var result = evaluator.evaluate(job.getSpec().getEvaluate(), progress -> {
            context.progress(progress.getFraction(), progress.getMessage());
            context.checkStop();
        }, job.getId(), context.workerId(), job.getAttempts());
        return result.getScoresList().stream().map(Score::getId).toList();
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return ManagementFactory.getRuntimeMXBean().getName();
        }
    }
}
