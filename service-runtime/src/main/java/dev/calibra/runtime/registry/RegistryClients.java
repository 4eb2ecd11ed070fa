package dev.calibra.runtime.registry;

import dev.calibra.rpc.RegistryConnection;
import dev.calibra.runtime.observability.TraceContextInterceptor;
import io.grpc.ManagedChannel;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The one channel to the registry, with this service's key (CALIBRA_SERVICE_KEY). Singleton: no proxy. */
@Singleton
public class RegistryClients extends RegistryConnection {

    @Inject
    public RegistryClients(@ConfigProperty(name = "calibra.registry.target") String target,
            @ConfigProperty(name = "calibra.service-key") Optional<String> serviceKey) {
        super(target, serviceKey.orElse(""), TraceContextInterceptor.INSTANCE);
    }

    /** Over an existing channel (in-process tests). */
    public RegistryClients(ManagedChannel channel) {
        super(channel);
    }

    @PreDestroy
    void shutdown() {
        close();
    }
}
