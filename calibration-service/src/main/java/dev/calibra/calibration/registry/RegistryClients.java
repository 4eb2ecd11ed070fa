package dev.calibra.calibration.registry;

import io.grpc.ManagedChannel;
import jakarta.inject.Singleton;

/**
 * service-runtime's registry channel under the name this service's domain code imports; it replaces the
 * runtime's default bean, so the process still has one channel. Delete it once service/ imports
 * dev.calibra.runtime.registry.RegistryClients.
 */
@Singleton
public class RegistryClients extends dev.calibra.runtime.registry.RegistryClients {

    public RegistryClients() {}

    /** Over an existing channel (in-process tests). */
    public RegistryClients(ManagedChannel channel) {
        super(channel);
    }
}
