package dev.calibra.runtime.worker;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * libtorch's intra-op threads in a worker service, from calibra.torch.threads (CALIBRA_TORCH_THREADS) when above
 * 0; else libtorch's default of one per core, which suits a worker alone on its host. Workers sharing a host's cores,
 * each with one thread per core, ran the demo's forward passes several times slower than with one (BENCHMARKS.md).
 * Set at start, before the worker loop (a later priority) can load PyTorch, which reads it once.
 */
@ApplicationScoped
public class TorchThreads {

    private static final Logger LOG = Logger.getLogger(TorchThreads.class.getName());
    static final String PROPERTY = "ai.djl.pytorch.num_threads";

    private final int threads;

    public TorchThreads(@ConfigProperty(name = "calibra.torch.threads", defaultValue = "0") int threads) {
        if (threads < 0) {
            throw new IllegalArgumentException("calibra.torch.threads (CALIBRA_TORCH_THREADS) must be >= 0, got " + threads);
        }
        this.threads = threads;
    }

    void apply(@Observes @Priority(1) StartupEvent start) {
        if (threads > 0) {
            System.setProperty(PROPERTY, Integer.toString(threads));
            LOG.info(() -> "libtorch intra-op threads: " + threads + " (calibra.torch.threads)");
        }
    }
}
