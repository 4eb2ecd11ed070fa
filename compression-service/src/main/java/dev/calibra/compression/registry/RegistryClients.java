package dev.calibra.compression.registry;

import dev.calibra.proto.v1.JobsGrpc;
import dev.calibra.proto.v1.RegistryGrpc;
import dev.calibra.rpc.Channels;
import io.grpc.ManagedChannel;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The one channel to the registry, and its stubs. */
@ApplicationScoped
public class RegistryClients {

    private final ManagedChannel channel;

    @Inject
    public RegistryClients(@ConfigProperty(name = "calibra.registry.target") String target) {
        this(Channels.open(target));
    }

    /** Over an existing channel (in-process tests). */
    public RegistryClients(ManagedChannel channel) {
        this.channel = channel;
    }

    public RegistryGrpc.RegistryBlockingStub registry() {
        return RegistryGrpc.newBlockingStub(channel);
    }

    public JobsGrpc.JobsBlockingStub jobs() {
        return JobsGrpc.newBlockingStub(channel);
    }

    @PreDestroy
    public void close() {
        Channels.close(channel);
    }
}
