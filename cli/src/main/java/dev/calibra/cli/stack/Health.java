package dev.calibra.cli.stack;

import dev.calibra.rpc.Channels;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.util.concurrent.TimeUnit;

/** The standard gRPC health check (grpc.health.v1) against one address. */
public final class Health {

    private Health() {}

    public static boolean serving(String address) {
        ManagedChannel channel = Channels.open(address);
        try {
            HealthCheckResponse response = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance());
            return response.getStatus() == HealthCheckResponse.ServingStatus.SERVING;
        } catch (StatusRuntimeException e) {
            return false;
        } finally {
            Channels.close(channel);
        }
    }
}
