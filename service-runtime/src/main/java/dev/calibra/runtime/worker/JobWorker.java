package dev.calibra.runtime.worker;

import dev.calibra.proto.v1.ClaimJobRequest;
import dev.calibra.proto.v1.ClaimJobResponse;
import dev.calibra.proto.v1.CompleteJobRequest;
import dev.calibra.proto.v1.FailJobRequest;
import dev.calibra.proto.v1.HeartbeatRequest;
import dev.calibra.proto.v1.HeartbeatResponse;
import dev.calibra.proto.v1.Job;
import dev.calibra.proto.v1.JobType;
import dev.calibra.proto.v1.JobsGrpc;
import dev.calibra.proto.v1.Progress;
import dev.calibra.rpc.auth.CallerCredentials;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A worker service's loop over the registry queue: claim a job of its types, run it while a
 * background heartbeat renews the lease and carries progress, then complete or fail it. One job at a
 * time per worker; run several workers (processes or replicas) to scale out. Every call about a job
 * names the claim's attempt, so the registry can refuse a worker whose claim was superseded.
 */
public final class JobWorker implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(JobWorker.class.getName());

    private final JobsGrpc.JobsBlockingStub jobs;
    private final String workerId;
    private final List<JobType> types;
    private final JobHandler handler;
    private final Duration idlePoll;
    private final int leaseSeconds;
    private final AtomicBoolean running = new AtomicBoolean();
    private final ScheduledExecutorService heartbeats;
    private JobScope scope = JobScope.NONE;
    private Consumer<Error> afterError = error -> {};
    private Thread loop;
    /** Set by close: what a job throws from then on is the shutdown's doing, not the job's. */
    private volatile boolean closing;

    public JobWorker(JobsGrpc.JobsBlockingStub jobs, String workerId, List<JobType> types, JobHandler handler,
            Duration idlePoll, int leaseSeconds) {
        this.jobs = jobs;
        this.workerId = workerId;
        this.types = List.copyOf(types);
        this.handler = handler;
        this.idlePoll = idlePoll;
        this.leaseSeconds = leaseSeconds;
        this.heartbeats = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "heartbeat-" + workerId);
            thread.setDaemon(true);
            return thread;
        });
    }

    public String workerId() {
        return workerId;
    }

    /** Wraps every job this worker runs (log context, tracing); set before start. */
    public JobWorker withScope(JobScope scope) {
        this.scope = scope;
        return this;
    }

    /**
     * Called after a job that threw an Error (OutOfMemoryError) was failed, on the loop's thread, before
     * the next claim: the place to decide whether this process can go on; set before start.
     */
    public JobWorker afterError(Consumer<Error> check) {
        this.afterError = check;
        return this;
    }

    public void start() {
        if (running.getAndSet(true)) {
            return;
        }
        loop = new Thread(this::runLoop, "worker-" + workerId);
        loop.setDaemon(true);
        loop.setUncaughtExceptionHandler((thread, error) -> LOG.log(Level.SEVERE, "the worker loop ended", error));
        loop.start();
    }

    /** Whether the loop was started and its thread still runs (false once it died, or after close). */
    public boolean loopAlive() {
        Thread thread = loop;
        return thread != null && thread.isAlive();
    }

    /** Whether close was called: a loop that ended since is stopping, not dead. */
    public boolean closing() {
        return closing;
    }

    private void runLoop() {
        while (running.get()) {
            try {
                if (!runOne()) {
                    sleep(idlePoll);
                }
            } catch (StatusRuntimeException e) {
                // The registry is away or restarting: wait and claim again.
                LOG.fine(() -> "registry unavailable: " + e.getStatus());
                sleep(idlePoll.multipliedBy(4));
            } catch (RuntimeException | Error e) {
                LOG.log(Level.WARNING, "worker loop error", e);
                sleep(idlePoll.multipliedBy(4));
            }
        }
    }

    /** Claims and runs at most one job; false when the queue had nothing for this worker. */
    public boolean runOne() {
        ClaimJobResponse claimed = jobs.claimJob(ClaimJobRequest.newBuilder()
                .setWorkerId(workerId).addAllTypes(types).setLeaseSeconds(leaseSeconds).build());
        if (!claimed.hasJob()) {
            return false;
        }
        execute(claimed.getJob());
        return true;
    }

    private void execute(Job job) {
        RunningJob context = new RunningJob(job);
        long periodMillis = Math.max(200, leaseSeconds * 1000L / 3);
        var beat = heartbeats.scheduleWithFixedDelay(context::heartbeat, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
        LOG.info(() -> "running " + job.getType() + " job " + job.getId() + " (attempt " + job.getAttempts() + ")");
        try {
            // Registry calls made by the handler act for the job's team, with this worker's service key.
            List<String> results = CallerCredentials.actingFor(job.getTeam())
                    .call(() -> scope.run(job, () -> handler.run(job, context)));
            beat.cancel(false);
            if (context.stopRequested()) {
                LOG.info(() -> "job " + job.getId() + " was stopped; its result is discarded");
                return;
            }
            jobs.completeJob(CompleteJobRequest.newBuilder().setJobId(job.getId()).setWorkerId(workerId)
                    .setAttempt(job.getAttempts()).addAllResultIds(results).build());
            LOG.info(() -> "job " + job.getId() + " succeeded: " + results);
        } catch (JobStoppedException stopped) {
            LOG.info(() -> "job " + job.getId() + " stopped: " + stopped.getMessage());
        } catch (Exception | Error error) {
            beat.cancel(false);
            Failures.Failure failure = Failures.classify(error, closing);
            if (failure.retryable()) {
                LOG.log(Level.WARNING, "job " + job.getId() + " failed (retryable)", error);
            } else {
                LOG.info("job " + job.getId() + " failed: " + failure.reason());
            }
            try {
                jobs.failJob(FailJobRequest.newBuilder().setJobId(job.getId()).setWorkerId(workerId)
                        .setAttempt(job.getAttempts()).setError(failure.reason()).setRetryable(failure.retryable()).build());
            } catch (StatusRuntimeException lost) {
                LOG.warning("could not report the failure of job " + job.getId() + ": " + lost.getStatus());
            }
            if (error instanceof Error) {
                afterError.accept((Error) error);
            }
        } finally {
            beat.cancel(false);
        }
    }

    private final class RunningJob implements JobContext {
        private final Job job;
        private final AtomicReference<Progress> progress = new AtomicReference<>();
        private final AtomicReference<String> checkpoint = new AtomicReference<>("");
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicBoolean leaseLost = new AtomicBoolean();
        private final long startNanos = System.nanoTime();

        RunningJob(Job job) {
            this.job = job;
        }

        @Override
        public String workerId() {
            return workerId;
        }

        @Override
        public void progress(double fraction, String message) {
            progress.set(Progress.newBuilder().setFraction(Math.max(0, Math.min(1, fraction))).setMessage(message)
                    .setElapsedSeconds((System.nanoTime() - startNanos) / 1e9).build());
        }

        @Override
        public void checkpoint(String uri) {
            checkpoint.set(uri);
            heartbeat();
        }

        @Override
        public String resumeFrom() {
            return job.getCheckpointUri();
        }

        @Override
        public boolean stopRequested() {
            return stop.get();
        }

        @Override
        public boolean leaseLost() {
            return leaseLost.get();
        }

        synchronized void heartbeat() {
            HeartbeatRequest.Builder request = HeartbeatRequest.newBuilder().setJobId(job.getId()).setWorkerId(workerId)
                    .setAttempt(job.getAttempts()).setLeaseSeconds(leaseSeconds).setCheckpointUri(checkpoint.get());
            Progress latest = progress.get();
            if (latest != null) {
                request.setProgress(latest);
            }
            try {
                HeartbeatResponse response = jobs.heartbeat(request.build());
                if (response.getCancelRequested()) {
                    stop.set(true);
                }
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() == io.grpc.Status.Code.FAILED_PRECONDITION
                        || e.getStatus().getCode() == io.grpc.Status.Code.NOT_FOUND) {
                    leaseLost.set(true);  // the lease is gone: another worker may own the job now
                    stop.set(true);
                }
                // UNAVAILABLE: keep working; the lease may still hold when the registry returns.
            }
        }
    }

    private void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running.set(false);
        }
    }

    @Override
    public void close() {
        closing = true;
        running.set(false);
        if (loop != null) {
            loop.interrupt();
        }
        heartbeats.shutdownNow();
    }
}
