package dev.calibra.runtime.observability;

import dev.calibra.runtime.worker.WorkerRuntime;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness (/q/health/ready) is DOWN for a worker that cannot go on: its job loop thread died, or a
 * job's OutOfMemoryError left the heap full (it then exits too). Traffic and new jobs go elsewhere.
 */
@Readiness
@ApplicationScoped
public class WorkerReadiness implements HealthCheck {

    private final WorkerRuntime runtime;

    public WorkerReadiness(WorkerRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public HealthCheckResponse call() {
        WorkerRuntime.Health health = runtime.health();
        return HealthCheckResponse.named("worker").status(health.up()).withData("detail", health.detail()).build();
    }
}
