package dev.calibra.runtime.observability;

import dev.calibra.rpc.Channels;
import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness (/q/health/ready) follows the registry: this worker can neither claim jobs nor record results
 * while the registry is unreachable or NOT_SERVING (its database away). Readiness only, never liveness:
 * restarting a worker would not bring the registry back.
 */
@Readiness
@ApplicationScoped
public class RegistryReadiness implements HealthCheck {

    private static final long DEADLINE_SECONDS = 2;

    private final String target;
    private final ManagedChannel channel;

    public RegistryReadiness(@ConfigProperty(name = "calibra.registry.target") String target) {
        this.target = target;
        this.channel = Channels.open(target);
    }

    @Override
    public HealthCheckResponse call() {
        String status;
        try {
            ServingStatus answer = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance()).getStatus();
            status = answer.name();
        } catch (StatusRuntimeException e) {
            status = e.getStatus().getCode().name();
        }
        return HealthCheckResponse.named("registry").status("SERVING".equals(status))
                .withData("target", target).withData("status", status).build();
    }

    @PreDestroy
    void close() {
        Channels.close(channel);
    }
}
