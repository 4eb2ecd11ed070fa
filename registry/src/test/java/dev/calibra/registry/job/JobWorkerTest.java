package dev.calibra.registry.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.calibra.proto.v1.CancelJobRequest;
import dev.calibra.proto.v1.EvaluateRequest;
import dev.calibra.proto.v1.GetJobRequest;
import dev.calibra.proto.v1.Job;
import dev.calibra.proto.v1.JobSpec;
import dev.calibra.proto.v1.JobState;
import dev.calibra.proto.v1.JobType;
import dev.calibra.proto.v1.JobsGrpc;
import dev.calibra.proto.v1.RegisterModelRequest;
import dev.calibra.proto.v1.RegistryGrpc;
import dev.calibra.proto.v1.SubmitJobRequest;
import dev.calibra.registry.Assets;
import dev.calibra.registry.TestDatabase;
import dev.calibra.rpc.CalibraException;
import dev.calibra.runtime.worker.JobContext;
import dev.calibra.runtime.worker.JobStoppedException;
import dev.calibra.runtime.worker.JobWorker;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The workers' loop (dev.calibra.runtime.worker.JobWorker) against the real queue over gRPC. */
@QuarkusTest
@QuarkusTestResource(TestDatabase.class)
class JobWorkerTest {

    @GrpcClient("registry")
    JobsGrpc.JobsBlockingStub jobs;

    @GrpcClient("registry")
    RegistryGrpc.RegistryBlockingStub registry;

    @Inject EntityManager entityManager;

    /** A registered model for the jobs to name: a job may only name inputs its team can see. */
    String model;

    @BeforeEach
    void emptyQueue() {
        model = registry.registerModel(RegisterModelRequest.newBuilder().setName("worker-test-model")
                .setArtifactUri(Assets.stories260K().toString()).setArchitecture("LlamaForCausalLM")
                .setParameterCount(260_000).build()).getId();
        QuarkusTransaction.requiringNew().run(() -> entityManager.createNativeQuery(
                "UPDATE job SET state = 'CANCELLED', finished_at = now() WHERE state IN ('PENDING', 'RUNNING')").executeUpdate());
    }

    private Job submit() {
        return jobs.submitJob(SubmitJobRequest.newBuilder()
                .setSpec(JobSpec.newBuilder().setEvaluate(EvaluateRequest.newBuilder().setModelId(model))).build());
    }

    private Job get(String id) {
        return jobs.getJob(GetJobRequest.newBuilder().setId(id).build());
    }

    /** Runs one job whose handler waits for a stop, triggered by {@code interfere}; returns what it saw. */
    private JobStoppedException stopOneJob(Consumer<Job> interfere) throws Exception {
        Job job = submit();
        CompletableFuture<JobStoppedException> seen = new CompletableFuture<>();
        try (JobWorker worker = new JobWorker(jobs, "test-worker", List.of(JobType.JOB_TYPE_EVALUATE), (claimed, context) -> {
            interfere.accept(claimed);
            waitForStop(context, seen);
            return List.of();
        }, Duration.ofMillis(100), 1)) {
            assertTrue(worker.runOne());
        }
        return seen.get(20, TimeUnit.SECONDS);
    }

    private static void waitForStop(JobContext context, CompletableFuture<JobStoppedException> seen) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            try {
                context.checkStop();
            } catch (JobStoppedException stopped) {
                seen.complete(stopped);
                throw stopped;
            }
            Thread.sleep(50);
        }
        seen.completeExceptionally(new AssertionError("the worker never learned that it must stop"));
    }

    @Test
    void runOne_completesTheJobWithTheHandlersResults() {
        Job job = submit();
        try (JobWorker worker = new JobWorker(jobs, "w", List.of(JobType.JOB_TYPE_EVALUATE), (claimed, context) -> {
            context.progress(0.5, "half");
            return List.of("scr-1", "scr-2");
        }, Duration.ofMillis(100), 30)) {
            assertTrue(worker.runOne());
            assertFalse(worker.runOne(), "nothing else is queued");
        }
        Job done = get(job.getId());
        assertEquals(JobState.JOB_STATE_SUCCEEDED, done.getState());
        assertEquals(List.of("scr-1", "scr-2"), done.getResultIdsList());
    }

    @Test
    void badInput_failsTheJobForGood_otherErrorsAreRetried() {
        Job bad = submit();
        try (JobWorker worker = new JobWorker(jobs, "w", List.of(JobType.JOB_TYPE_EVALUATE), (claimed, context) -> {
            throw CalibraException.invalidArgument("tasks: 'nope' is not a task");
        }, Duration.ofMillis(100), 30)) {
            worker.runOne();
        }
        Job failed = get(bad.getId());
        assertEquals(JobState.JOB_STATE_FAILED, failed.getState());
        assertEquals("[INVALID_ARGUMENT] tasks: 'nope' is not a task", failed.getError(), "a final failure names its status code");

        Job flaky = submit();
        try (JobWorker worker = new JobWorker(jobs, "w", List.of(JobType.JOB_TYPE_EVALUATE), (claimed, context) -> {
            throw new java.io.IOException("connection reset");
        }, Duration.ofMillis(100), 30)) {
            worker.runOne();
        }
        Job retried = get(flaky.getId());
        assertEquals(JobState.JOB_STATE_PENDING, retried.getState());
        assertTrue(retried.getError().startsWith("connection reset"), retried.getError());
    }

    @Test
    void cancellation_stopsTheHandler_asACancellation() throws Exception {
        JobStoppedException stopped = stopOneJob(claimed ->
                jobs.cancelJob(CancelJobRequest.newBuilder().setId(claimed.getId()).build()));
        assertFalse(stopped.leaseLost(), "a cancelled job may clean up after itself");
    }

    @Test
    void lostLease_stopsTheHandler_asALostLease() throws Exception {
        JobStoppedException stopped = stopOneJob(claimed -> QuarkusTransaction.requiringNew().run(() ->
                entityManager.createNativeQuery("UPDATE job SET lease_owner = 'another-worker' WHERE id = :id")
                        .setParameter("id", claimed.getId()).executeUpdate()));
        assertTrue(stopped.leaseLost(), "another worker holds the job: its checkpoints must stay");
    }

    @Test
    void closingTheWorker_whileAJobRuns_queuesTheJobAgain_evenIfItsErrorLooksFinal() throws Exception {
        Job job = submit();
        CompletableFuture<Void> started = new CompletableFuture<>();
        JobWorker worker = new JobWorker(jobs, "closing-worker", List.of(JobType.JOB_TYPE_EVALUATE), (claimed, context) -> {
            started.complete(null);
            try {
                Thread.sleep(20_000);
            } catch (InterruptedException interrupted) {
                // What an interrupted channel read turns into deep inside a handler.
                throw CalibraException.invalidArgument("model.safetensors: could not read the header");
            }
            return List.of();
        }, Duration.ofMillis(100), 30);
        worker.start();
        started.get(20, TimeUnit.SECONDS);
        worker.close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        Job after = get(job.getId());
        while (after.getState() == JobState.JOB_STATE_RUNNING && System.nanoTime() < deadline) {
            Thread.sleep(100);
            after = get(job.getId());
        }
        assertEquals(JobState.JOB_STATE_PENDING, after.getState(), after.toString());
        assertTrue(after.getError().startsWith("the worker stopped while the job ran"), after.getError());
    }

    @Test
    void aJobThatExhaustsTheHeap_failsForGoodWithTheReason_andTheWorkerClaimsTheNextJob() {
        Job greedy = submit();
        Job next = submit();
        try (JobWorker worker = new JobWorker(jobs, "w-oom", List.of(JobType.JOB_TYPE_EVALUATE), (claimed, context) -> {
            if (claimed.getId().equals(greedy.getId())) {
                throw new OutOfMemoryError("Java heap space");
            }
            return List.of("scr-after");
        }, Duration.ofMillis(100), 30)) {
            assertTrue(worker.runOne());
            assertTrue(worker.runOne(), "the worker goes on claiming");
        }
        Job failed = get(greedy.getId());
        assertEquals(JobState.JOB_STATE_FAILED, failed.getState(), "retried, it would take the next worker down too");
        assertEquals("OutOfMemoryError: Java heap space", failed.getError());
        assertEquals(JobState.JOB_STATE_SUCCEEDED, get(next.getId()).getState());
    }
}
