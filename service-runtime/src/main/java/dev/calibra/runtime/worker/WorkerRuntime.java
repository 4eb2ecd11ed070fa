package dev.calibra.runtime.worker;

import dev.calibra.rpc.RegistryConnection;
import dev.calibra.runtime.observability.TracingJobScope;
import dev.calibra.runtime.registry.RegistryClients;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.time.Duration;
import java.util.function.DoubleSupplier;
import java.util.function.IntConsumer;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Runs the registry queue loop for the service's {@link ServiceJobHandler} from startup to shutdown, with
 * the one set of worker settings every service reads, and knows whether the loop can go on (the
 * "worker" readiness check). A worker whose heap stays full after a job's OutOfMemoryError exits with
 * {@link #EXIT_STATUS} so that its supervisor restarts it; one whose memory was released goes on.
 */
@ApplicationScoped
public class WorkerRuntime {

    private static final Logger LOG = Logger.getLogger(WorkerRuntime.class.getName());

    /** Heap still used after a full GC above which the process cannot be trusted with another job. */
    static final double FULL_HEAP_FRACTION = 0.9;
    /** The exit status of a worker that gave up (EX_SOFTWARE): a supervisor restarts it. */
    static final int EXIT_STATUS = 70;

    /** Whether the worker is fit for the next job, and if not, why. */
    public record Health(boolean up, String detail) {}

    private final ServiceJobHandler handler;
    private final RegistryConnection registry;
    private final JobScope scope;
    private final boolean enabled;
    private final int leaseSeconds;
    private final Duration idlePoll;
    DoubleSupplier heapUsedAfterGc = WorkerRuntime::heapUsedAfterGc;
    IntConsumer exit = Quarkus::asyncExit;
    private volatile JobWorker worker;
    /** Set when the runtime gave up on this process; readiness reports it. */
    private volatile String fatal;

    @Inject
    public WorkerRuntime(Instance<ServiceJobHandler> handlers, RegistryClients registry, TracingJobScope scope,
            @ConfigProperty(name = "calibra.worker.enabled", defaultValue = "true") boolean enabled,
            @ConfigProperty(name = "calibra.worker.lease-seconds", defaultValue = "60") int leaseSeconds,
            @ConfigProperty(name = "calibra.worker.idle-poll-millis", defaultValue = "1000") long idlePollMillis) {
        this(handlers.isResolvable() ? handlers.get() : null, registry, scope, enabled, leaseSeconds, Duration.ofMillis(idlePollMillis));
    }

    /** Without CDI (tests): handler may be null for a service that claims no jobs. */
    WorkerRuntime(ServiceJobHandler handler, RegistryConnection registry, JobScope scope, boolean enabled, int leaseSeconds,
            Duration idlePoll) {
        this.handler = handler;
        this.registry = registry;
        this.scope = scope;
        this.enabled = enabled && handler != null;
        this.leaseSeconds = leaseSeconds;
        this.idlePoll = idlePoll;
    }

    void start(@Observes StartupEvent event) {
        start();
    }

    void start() {
        if (!enabled) {
            return;
        }
        JobWorker started = new JobWorker(registry.jobs(), WorkerIds.of(handler.serviceName()), handler.types(), handler,
                idlePoll, leaseSeconds).withScope(scope).afterError(this::afterError);
        worker = started;
        LOG.info(() -> "worker " + started.workerId() + " claims " + handler.types() + " (lease " + leaseSeconds + " s)");
        started.start();
    }

    void stop(@Observes ShutdownEvent event) {
        stop();
    }

    void stop() {
        JobWorker running = worker;
        if (running != null) {
            running.close();
        }
    }

    /** The worker's id, or "" when this process claims no jobs. */
    public String workerId() {
        JobWorker running = worker;
        return running == null ? "" : running.workerId();
    }

    public Health health() {
        if (fatal != null) {
            return new Health(false, fatal);
        }
        if (!enabled) {
            return new Health(true, "claims no jobs (calibra.worker.enabled=false or no job handler)");
        }
        JobWorker running = worker;
        if (running == null) {
            return new Health(false, "not started yet");
        }
        if (!running.loopAlive() && !running.closing()) {
            return new Health(false, "the job loop thread of " + running.workerId() + " ended; see the log");
        }
        return new Health(true, running.workerId());
    }

    /** After a job's Error: go on if the job's memory was released, else give up so a supervisor restarts us. */
    void afterError(Error error) {
        double used = heapUsedAfterGc.getAsDouble();
        String heap = String.format("%.0f%%", used * 100);
        if (used <= FULL_HEAP_FRACTION) {
            LOG.info(() -> "after " + error.getClass().getSimpleName() + " the heap is " + heap + " used after a full GC: claiming the next job");
            return;
        }
        fatal = error.getClass().getSimpleName() + " left the heap " + heap + " used after a full GC; this worker exits ("
                + EXIT_STATUS + ") to be restarted";
        LOG.severe(fatal);
        stop();
        exit.accept(EXIT_STATUS);
    }

    /** The share of the maximum heap still used after a full collection. */
    static double heapUsedAfterGc() {
        System.gc();
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        long limit = heap.getMax() > 0 ? heap.getMax() : heap.getCommitted();
        return (double) heap.getUsed() / limit;
    }
}
