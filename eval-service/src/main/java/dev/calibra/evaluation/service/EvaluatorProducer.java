package dev.calibra.evaluation.service;

import dev.calibra.runtime.registry.RegistryClients;
import dev.calibra.evaluation.task.TaskCatalog;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.nio.file.Path;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The service's one {@link Evaluator}: the registry stubs, the assets folder, the built-in task catalog; and
 * libtorch's intra-op threads when calibra.torch.threads (environment CALIBRA_TORCH_THREADS) is set above 0,
 * else libtorch's default of one per core.
 */
@ApplicationScoped
public class EvaluatorProducer {

    @Produces
    @ApplicationScoped
    Evaluator evaluator(RegistryClients clients, @ConfigProperty(name = "calibra.assets") String assets,
            @ConfigProperty(name = "calibra.torch.threads", defaultValue = "0") int torchThreads) {
        if (torchThreads > 0) {
            // read by DJL when PyTorch starts (first model load). Workers sharing a host's cores, each with one
            // thread per core, ran the demo's forward passes several times slower than with 1 (BENCHMARKS.md)
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(torchThreads));
        }
        return new Evaluator(clients.registry(), Path.of(assets).toAbsolutePath().normalize(), TaskCatalog.builtIn());
    }
}
