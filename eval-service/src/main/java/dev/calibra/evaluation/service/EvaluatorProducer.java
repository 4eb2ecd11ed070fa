package dev.calibra.evaluation.service;

import dev.calibra.artifacts.ArtifactStore;
import dev.calibra.runtime.registry.RegistryClients;
import dev.calibra.evaluation.task.TaskCatalog;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.nio.file.Path;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The service's one {@link Evaluator}: the registry stubs, the artifact store, the assets folder, the built-in task catalog (libtorch's
 * threads are service-runtime's TorchThreads).
 */
@ApplicationScoped
public class EvaluatorProducer {

    @Produces
    @ApplicationScoped
    Evaluator evaluator(RegistryClients clients, ArtifactStore store, @ConfigProperty(name = "calibra.assets") String assets) {
        return new Evaluator(clients.registry(), store, Path.of(assets).toAbsolutePath().normalize(), TaskCatalog.builtIn());
    }
}
