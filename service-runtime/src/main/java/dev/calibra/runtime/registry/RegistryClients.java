package dev.calibra.runtime.registry;

import dev.calibra.rpc.RegistryConnection;
import dev.calibra.runtime.observability.TraceContextInterceptor;
import io.grpc.ManagedChannel;
import io.quarkus.arc.DefaultBean;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Optional;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The one channel to the registry, with this service's key (CALIBRA_SERVICE_KEY). Singleton: no proxy.
 * A default bean: a service whose code names its own subclass (dev.calibra.SERVICE.registry.RegistryClients)
 * gets that one everywhere instead, so there is still a single channel.
 */
@Singleton
@DefaultBean
public class RegistryClients extends RegistryConnection {

    @Inject
    public RegistryClients(@ConfigProperty(name = "calibra.registry.target") String target,
            @ConfigProperty(name = "calibra.service-key") Optional<String> serviceKey) {
        super(target, serviceKey.orElse(""), TraceContextInterceptor.INSTANCE);
    }

    /** For a service's subclass bean: the same settings, read from the configuration. */
    protected RegistryClients() {
        this(ConfigProvider.getConfig().getValue("calibra.registry.target", String.class),
                ConfigProvider.getConfig().getOptionalValue("calibra.service-key", String.class));
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
