package dev.calibra.registry.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.calibra.proto.v1.CancelJobRequest;
import dev.calibra.proto.v1.ClaimJobRequest;
import dev.calibra.proto.v1.ClaimJobResponse;
import dev.calibra.proto.v1.CompleteJobRequest;
import dev.calibra.proto.v1.EvaluateRequest;
import dev.calibra.proto.v1.FailJobRequest;
import dev.calibra.proto.v1.GetJobRequest;
import dev.calibra.proto.v1.HeartbeatRequest;
import dev.calibra.proto.v1.HeartbeatResponse;
import dev.calibra.proto.v1.Job;
import dev.calibra.proto.v1.JobEvent;
import dev.calibra.proto.v1.JobSpec;
import dev.calibra.proto.v1.JobState;
import dev.calibra.proto.v1.JobType;
import dev.calibra.proto.v1.JobsGrpc;
import dev.calibra.proto.v1.ListJobsRequest;
import dev.calibra.proto.v1.Progress;
import dev.calibra.proto.v1.RecordScoresRequest;
import dev.calibra.proto.v1.RegisterModelRequest;
import dev.calibra.proto.v1.RegistryGrpc;
import dev.calibra.proto.v1.Score;
import dev.calibra.proto.v1.SubmitJobRequest;
import dev.calibra.proto.v1.WatchJobRequest;
import dev.calibra.registry.Assets;
import dev.calibra.registry.KeyedChannels;
import dev.calibra.registry.TestDatabase;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import jakarta.persistence.EntityManager;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(TestDatabase.class)
class JobQueueTest {

    @ConfigProperty(name = "calibra.artifacts.root") String storeRoot;

    @GrpcClient("registry")
    JobsGrpc.JobsBlockingStub jobs;

    @GrpcClient("registry")
    RegistryGrpc.RegistryBlockingStub registry;

    @Inject EntityManager entityManager;
    @Inject JobQueue queue;
    @ConfigProperty(name = "calibra.auth.admin-key") String adminKey;

    /** A registered model for the jobs to name: a job may only name inputs its team can see. */
    String model;

    @BeforeEach
    void emptyQueue() {
        model = registry.registerModel(RegisterModelRequest.newBuilder().setName("queue-test-model")
                .setArtifactUri(Assets.stories260K().toString()).setArchitecture("LlamaForCausalLM")
                .setParameterCount(260_000).build()).getId();
        // Earlier tests' pending jobs would be claimed first; finish them so each test sees only its own.
        QuarkusTransaction.requiringNew().run(() -> entityManager.createNativeQuery(
                "UPDATE job SET state = 'CANCELLED', finished_at = now() WHERE state IN ('PENDING', 'RUNNING')").executeUpdate());
    }

    private static JobSpec evaluate(String modelId) {
        return JobSpec.newBuilder().setEvaluate(EvaluateRequest.newBuilder().setModelId(modelId).addTasks("copa")).build();
    }

    private Job submit(String modelId) {
        return jobs.submitJob(SubmitJobRequest.newBuilder().setSpec(evaluate(modelId)).build());
    }

    private ClaimJobResponse claim(String worker, int leaseSeconds) {
        return jobs.claimJob(ClaimJobRequest.newBuilder().setWorkerId(worker).addTypes(JobType.JOB_TYPE_EVALUATE)
                .setLeaseSeconds(leaseSeconds).build());
    }

    @Test
    void submitJob_sameRequestIdTwice_returnsTheSameJob() {
        String requestId = UUID.randomUUID().toString();
        SubmitJobRequest request = SubmitJobRequest.newBuilder().setSpec(evaluate(model)).setRequestId(requestId).build();
        Job first = jobs.submitJob(request);
        Job second = jobs.submitJob(request);
        assertEquals(first.getId(), second.getId());
        assertEquals(JobState.JOB_STATE_PENDING, first.getState());
        assertEquals(JobType.JOB_TYPE_EVALUATE, first.getType());
        assertEquals(3, first.getMaxAttempts());
    }

    @Test
    void submitJob_concurrentSameRequestId_createsOneJob() throws Exception {
        String requestId = UUID.randomUUID().toString();
        SubmitJobRequest request = SubmitJobRequest.newBuilder().setSpec(evaluate(model)).setRequestId(requestId).build();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Job>> futures = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                futures.add(pool.submit(() -> jobs.submitJob(request)));
            }
            Set<String> ids = new HashSet<>();
            for (Future<Job> future : futures) {
                ids.add(future.get(30, TimeUnit.SECONDS).getId());
            }
            assertEquals(1, ids.size(), "one request_id, one job: " + ids);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void submitJob_withoutSpec_isInvalidArgument() {
        StatusRuntimeException error = assertThrows(StatusRuntimeException.class,
                () -> jobs.submitJob(SubmitJobRequest.getDefaultInstance()));
        assertEquals(Status.Code.INVALID_ARGUMENT, error.getStatus().getCode());
        assertEquals("spec must set one of calibrate, compress or evaluate", error.getStatus().getDescription());
    }

    @Test
    void claimJob_eightConcurrentWorkers_neverShareAJob() throws Exception {
        int jobCount = 40;
        Set<String> submitted = new HashSet<>();
        for (int i = 0; i < jobCount; i++) {
            submitted.add(submit(model).getId());
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<String> claimed = Collections.synchronizedList(new ArrayList<>());
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < 8; w++) {
                String worker = "worker-" + w;
                workers.add(pool.submit(() -> {
                    for (ClaimJobResponse r; (r = claim(worker, 60)).hasJob(); ) {
                        assertEquals(worker, r.getJob().getLeaseOwner());
                        claimed.add(r.getJob().getId());
                    }
                }));
            }
            for (Future<?> worker : workers) {
                worker.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(jobCount, claimed.size(), "every job claimed exactly once");
        assertEquals(submitted, new HashSet<>(claimed));
    }

    @Test
    void expiredLease_isQueuedAgain_thenFailsWhenAttemptsRunOut() throws Exception {
        Job job = jobs.submitJob(SubmitJobRequest.newBuilder().setSpec(evaluate(model)).setMaxAttempts(2).build());
        assertEquals(job.getId(), claim("dying-worker", 1).getJob().getId());
        Thread.sleep(1500);
        queue.reap();
        Job requeued = jobs.getJob(GetJobRequest.newBuilder().setId(job.getId()).build());
        assertEquals(JobState.JOB_STATE_PENDING, requeued.getState());
        assertEquals(1, requeued.getAttempts());
        assertTrue(requeued.getError().contains("expired"), requeued.getError());

        // The silent worker lost its lease: its heartbeat is refused.
        StatusRuntimeException lost = assertThrows(StatusRuntimeException.class, () -> jobs.heartbeat(
                HeartbeatRequest.newBuilder().setAttempt(1).setJobId(job.getId()).setWorkerId("dying-worker").build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, lost.getStatus().getCode());

        assertEquals(job.getId(), claim("second-worker", 1).getJob().getId());
        Thread.sleep(1500);
        queue.reap();
        Job failed = jobs.getJob(GetJobRequest.newBuilder().setId(job.getId()).build());
        assertEquals(JobState.JOB_STATE_FAILED, failed.getState());
        assertEquals(2, failed.getAttempts());
        assertTrue(failed.getError().contains("no attempts left"), failed.getError());
    }

    @Test
    void heartbeat_renewsLeaseAndRecordsProgress_completeStoresResults() {
        Job job = submit(model);
        claim("w", 30);
        HeartbeatResponse beat = jobs.heartbeat(HeartbeatRequest.newBuilder().setAttempt(1).setJobId(job.getId()).setWorkerId("w")
                .setProgress(Progress.newBuilder().setFraction(0.5).setMessage("block 3/5")).setLeaseSeconds(120).build());
        assertFalse(beat.getCancelRequested());
        assertTrue(beat.getLeaseExpiresAt().getSeconds() > System.currentTimeMillis() / 1000 + 100);
        Job running = jobs.getJob(GetJobRequest.newBuilder().setId(job.getId()).build());
        assertEquals("block 3/5", running.getProgress().getMessage());

        StatusRuntimeException stranger = assertThrows(StatusRuntimeException.class, () -> jobs.completeJob(
                CompleteJobRequest.newBuilder().setAttempt(1).setJobId(job.getId()).setWorkerId("intruder").build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, stranger.getStatus().getCode());

        Job done = jobs.completeJob(CompleteJobRequest.newBuilder().setAttempt(1).setJobId(job.getId()).setWorkerId("w").addResultIds("scr-1").build());
        assertEquals(JobState.JOB_STATE_SUCCEEDED, done.getState());
        assertEquals(List.of("scr-1"), done.getResultIdsList());
    }

    @Test
    void maxRunTime_failsTheJobEvenWhileItHeartbeats() throws Exception {
        Job job = jobs.submitJob(SubmitJobRequest.newBuilder().setSpec(evaluate(model)).setMaxRunSeconds(1).build());
        claim("slow-worker", 60);
        Thread.sleep(1300);
        queue.reap();
        HeartbeatResponse beat = jobs.heartbeat(HeartbeatRequest.newBuilder().setAttempt(1).setJobId(job.getId()).setWorkerId("slow-worker").build());
        assertTrue(beat.getCancelRequested(), "the worker is told to stop");
        Job failed = jobs.getJob(GetJobRequest.newBuilder().setId(job.getId()).build());
        assertEquals(JobState.JOB_STATE_FAILED, failed.getState());
        assertTrue(failed.getError().contains("max_run_seconds of 1 s"), failed.getError());
    }

    /** A model of the job's output, registered under the claim (worker, attempt). */
    private RegisterModelRequest output(String jobId, String name, String worker, int attempt) {
        return RegisterModelRequest.newBuilder().setName(name).setArtifactUri(Assets.stories260K().toString())
                .setArchitecture("LlamaForCausalLM").setParameterCount(260_000).setProducingJobId(jobId)
                .setProducingWorkerId(worker).setProducingAttempt(attempt).build();
    }

    @Test
    void registerModel_underAClaim_onlyWhileThatClaimHoldsTheJob() throws Exception {
        Job job = submit(model);
        Job first = claim("worker-a", 1).getJob();
        assertEquals(1, first.getAttempts());
        Thread.sleep(1500);                                  // worker-a pauses past its lease
        StatusRuntimeException expired = assertThrows(StatusRuntimeException.class,
                () -> registry.registerModel(output(job.getId(), "claim-test-a-" + job.getId(), "worker-a", 1)));
        assertEquals(Status.Code.FAILED_PRECONDITION, expired.getStatus().getCode());
        // the lease ran out: refused whether or not the reaper (every second in tests) requeued the job yet
        assertTrue(expired.getStatus().getDescription().contains("no longer runs as attempt 1 of worker-a"),
                expired.getStatus().getDescription());

        queue.reap();
        Job second = claim("worker-b", 30).getJob();
        assertEquals(2, second.getAttempts());
        // worker-a wakes up and tries again: attempt 2 by worker-b holds the job now
        StatusRuntimeException stale = assertThrows(StatusRuntimeException.class,
                () -> registry.registerModel(output(job.getId(), "claim-test-a-" + job.getId(), "worker-a", 1)));
        assertEquals(Status.Code.FAILED_PRECONDITION, stale.getStatus().getCode());
        assertTrue(stale.getStatus().getDescription().contains("attempt 2 by worker-b holds it now"),
                stale.getStatus().getDescription());
        // the same worker id with an old attempt number is refused too (a process that claimed the job twice)
        assertEquals(Status.Code.FAILED_PRECONDITION, assertThrows(StatusRuntimeException.class,
                () -> registry.registerModel(output(job.getId(), "claim-test-b-" + job.getId(), "worker-b", 1))).getStatus().getCode());

        // scores follow the same rule: one job per request, recorded only under the current claim
        Score score = Score.newBuilder().setModelId(model).setTask("copa").setMetric("acc").setValue(0.5)
                .setProducingJobId(job.getId()).build();
        assertEquals(Status.Code.FAILED_PRECONDITION, assertThrows(StatusRuntimeException.class,
                () -> registry.recordScores(RecordScoresRequest.newBuilder().addScores(score)
                        .setProducingWorkerId("worker-a").setProducingAttempt(1).build())).getStatus().getCode());
        assertEquals(Status.Code.INVALID_ARGUMENT, assertThrows(StatusRuntimeException.class,
                () -> registry.recordScores(RecordScoresRequest.newBuilder().addScores(score)
                        .addScores(score.toBuilder().setProducingJobId("job-other"))
                        .setProducingWorkerId("worker-b").setProducingAttempt(2).build())).getStatus().getCode());
        assertEquals(1, registry.recordScores(RecordScoresRequest.newBuilder().addScores(score)
                .setProducingWorkerId("worker-b").setProducingAttempt(2).build()).getScoresCount());

        String registered = registry.registerModel(output(job.getId(), "claim-test-b-" + job.getId(), "worker-b", 2)).getId();
        jobs.completeJob(CompleteJobRequest.newBuilder().setAttempt(2).setJobId(job.getId()).setWorkerId("worker-b")
                .addResultIds(registered).build());
        StatusRuntimeException finished = assertThrows(StatusRuntimeException.class,
                () -> registry.registerModel(output(job.getId(), "claim-test-c-" + job.getId(), "worker-b", 2)));
        assertTrue(finished.getStatus().getDescription().contains("it is SUCCEEDED"), finished.getStatus().getDescription());
        // nothing but worker-b's model was registered for the job
        assertEquals(1L, ((Number) entityManager.createNativeQuery(
                "SELECT count(*) FROM model WHERE producing_job_id = :job").setParameter("job", job.getId())
                .getSingleResult()).longValue());
    }

    @Test
    void failJob_retryable_isQueuedAgain_notRetryable_failsForGood() {
        Job job = submit(model);
        claim("w", 30);
        Job retried = jobs.failJob(FailJobRequest.newBuilder().setAttempt(1).setJobId(job.getId()).setWorkerId("w")
                .setError("connection reset").setRetryable(true).build());
        assertEquals(JobState.JOB_STATE_PENDING, retried.getState());
        claim("w", 30);
        Job failed = jobs.failJob(FailJobRequest.newBuilder().setAttempt(2).setJobId(job.getId()).setWorkerId("w")
                .setError("task file is malformed").build());
        assertEquals(JobState.JOB_STATE_FAILED, failed.getState());
        assertEquals("task file is malformed", failed.getError());
    }

    @Test
    void checkpointUri_mustLieInTheJobsOwnCheckpointFolder() {
        Job job = submit(model);
        Job claimed = claim("w", 30).getJob();
        java.nio.file.Path store = java.nio.file.Path.of(storeRoot);
        String team = claimed.getTeam();
        String own = store.resolve(dev.calibra.artifacts.StoreLayout.checkpoints(team, job.getId())).resolve("block-0.safetensors")
                .toUri().toString();
        for (String outside : List.of(
                store.resolve(dev.calibra.artifacts.StoreLayout.checkpoints(team, "job-other")).resolve("block-0.safetensors").toUri().toString(),
                store.resolve(dev.calibra.artifacts.StoreLayout.model(team, job.getId())).toUri().toString(),
                store.resolve(dev.calibra.artifacts.StoreLayout.checkpoints(team, job.getId())).resolve("../../../other/x").toUri().toString(),
                "file:/etc/passwd", "not a uri")) {
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> jobs.heartbeat(
                    HeartbeatRequest.newBuilder().setAttempt(1).setJobId(job.getId()).setWorkerId("w").setCheckpointUri(outside).build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode(), outside);
        }
        jobs.heartbeat(HeartbeatRequest.newBuilder().setAttempt(1).setJobId(job.getId()).setWorkerId("w").setCheckpointUri(own).build());
        assertEquals(own, jobs.getJob(GetJobRequest.newBuilder().setId(job.getId()).build()).getCheckpointUri());
    }

    @Test
    void sameWorkerId_onALaterAttempt_refusesTheSupersededAttemptsCalls() {
        // worker ids repeat across restarts (host:pid is host:1 in every container); the attempt does not
        Job job = submit(model);
        claim("w", 30);
        jobs.failJob(FailJobRequest.newBuilder().setAttempt(1).setJobId(job.getId()).setWorkerId("w")
                .setError("connection reset").setRetryable(true).build());
        claim("w", 30);
        for (Runnable stale : List.<Runnable>of(
                () -> jobs.heartbeat(HeartbeatRequest.newBuilder().setAttempt(1).setJobId(job.getId()).setWorkerId("w").build()),
                () -> jobs.completeJob(CompleteJobRequest.newBuilder().setAttempt(1).setJobId(job.getId()).setWorkerId("w").build()),
                () -> jobs.failJob(FailJobRequest.newBuilder().setAttempt(1).setJobId(job.getId()).setWorkerId("w")
                        .setError("stale").build()))) {
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, stale::run);
            assertEquals(Status.Code.FAILED_PRECONDITION, refused.getStatus().getCode());
            assertTrue(refused.getStatus().getDescription().contains("holds attempt 1"), refused.getStatus().getDescription());
        }
        StatusRuntimeException unstated = assertThrows(StatusRuntimeException.class, () -> jobs.heartbeat(
                HeartbeatRequest.newBuilder().setJobId(job.getId()).setWorkerId("w").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, unstated.getStatus().getCode());
        assertEquals(JobState.JOB_STATE_RUNNING, jobs.getJob(GetJobRequest.newBuilder().setId(job.getId()).build()).getState());
    }

    @Test
    void dependentJob_waitsForItsDependency_andFailsWithIt() {
        Job first = submit(model);
        Job second = jobs.submitJob(SubmitJobRequest.newBuilder().setSpec(evaluate(model)).addDependsOn(first.getId()).build());
        assertEquals(first.getId(), claim("w", 30).getJob().getId());
        assertFalse(claim("w", 30).hasJob(), "the dependent job is not runnable yet");
        jobs.failJob(FailJobRequest.newBuilder().setAttempt(1).setJobId(first.getId()).setWorkerId("w").setError("boom").build());
        queue.reap();
        Job orphan = jobs.getJob(GetJobRequest.newBuilder().setId(second.getId()).build());
        assertEquals(JobState.JOB_STATE_FAILED, orphan.getState());
        assertTrue(orphan.getError().startsWith("dependency " + first.getId() + " ended FAILED"), orphan.getError());

        StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class, () -> jobs.submitJob(
                SubmitJobRequest.newBuilder().setSpec(evaluate(model)).addDependsOn("job-missing").build()));
        assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
    }

    @Test
    void claim_fillsEmptyInputsFromTheResultsOfDependencies() {
        Job calibrate = jobs.submitJob(SubmitJobRequest.newBuilder().setSpec(JobSpec.newBuilder().setCalibrate(
                dev.calibra.proto.v1.SampleCalibrationSetRequest.getDefaultInstance())).build());
        Job compress = jobs.submitJob(SubmitJobRequest.newBuilder().setSpec(JobSpec.newBuilder().setCompress(
                dev.calibra.proto.v1.CompressRequest.newBuilder().setModelId(model).setMethod("gptq")))
                .addDependsOn(calibrate.getId()).build());
        Job evaluate = jobs.submitJob(SubmitJobRequest.newBuilder().setSpec(evaluate("")).addDependsOn(compress.getId()).build());
        ClaimJobRequest.Builder any = ClaimJobRequest.newBuilder().setWorkerId("w").addTypes(JobType.JOB_TYPE_CALIBRATE)
                .addTypes(JobType.JOB_TYPE_COMPRESS).addTypes(JobType.JOB_TYPE_EVALUATE);

        assertEquals(calibrate.getId(), jobs.claimJob(any.build()).getJob().getId());
        jobs.completeJob(CompleteJobRequest.newBuilder().setAttempt(1).setJobId(calibrate.getId()).setWorkerId("w").addResultIds("cal-7").build());
        Job claimedCompress = jobs.claimJob(any.build()).getJob();
        assertEquals(compress.getId(), claimedCompress.getId());
        assertEquals("cal-7", claimedCompress.getSpec().getCompress().getCalibrationSetId());
        assertEquals(model, claimedCompress.getSpec().getCompress().getModelId(), "given inputs are kept");
        jobs.completeJob(CompleteJobRequest.newBuilder().setAttempt(1).setJobId(compress.getId()).setWorkerId("w").addResultIds("mdl-9").build());
        assertEquals("mdl-9", jobs.claimJob(any.build()).getJob().getSpec().getEvaluate().getModelId());
        assertEquals("mdl-9", jobs.getJob(GetJobRequest.newBuilder().setId(evaluate.getId()).build())
                .getSpec().getEvaluate().getModelId(), "the filled spec is recorded");
    }

    @Test
    void cancelJob_running_tellsTheWorkerToStop_andRefusesItsResult() {
        Job job = submit(model);
        claim("w", 30);
        Job cancelled = jobs.cancelJob(CancelJobRequest.newBuilder().setId(job.getId()).setReason("wrong model").build());
        assertEquals(JobState.JOB_STATE_CANCELLED, cancelled.getState());
        assertTrue(jobs.heartbeat(HeartbeatRequest.newBuilder().setAttempt(1).setJobId(job.getId()).setWorkerId("w").build()).getCancelRequested());
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> jobs.completeJob(
                CompleteJobRequest.newBuilder().setAttempt(1).setJobId(job.getId()).setWorkerId("w").build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, refused.getStatus().getCode());
    }

    @Test
    void watchJob_streamsEachChange_andEndsWhenFinished() throws Exception {
        Job job = submit(model);
        Iterator<JobEvent> events = jobs.watchJob(WatchJobRequest.newBuilder().setId(job.getId()).build());
        assertEquals(JobState.JOB_STATE_PENDING, events.next().getJob().getState());
        claim("w", 30);
        assertEquals(JobState.JOB_STATE_RUNNING, events.next().getJob().getState());
        jobs.heartbeat(HeartbeatRequest.newBuilder().setAttempt(1).setJobId(job.getId()).setWorkerId("w")
                .setProgress(Progress.newBuilder().setFraction(0.25)).build());
        assertEquals(0.25, events.next().getJob().getProgress().getFraction());
        jobs.completeJob(CompleteJobRequest.newBuilder().setAttempt(1).setJobId(job.getId()).setWorkerId("w").build());
        JobEvent last = events.next();
        assertEquals(JobState.JOB_STATE_SUCCEEDED, last.getJob().getState());
        assertFalse(events.hasNext(), "the stream ends with the job");
    }

    @Test
    void listJobs_filtersByState() {
        Job pending = submit(model);
        Job running = submit(model);
        claim("w", 30);
        List<Job> listed = jobs.listJobs(ListJobsRequest.newBuilder().setState(JobState.JOB_STATE_PENDING).build()).getJobsList();
        assertTrue(listed.stream().anyMatch(j -> j.getId().equals(running.getId())) ^ listed.stream().anyMatch(j -> j.getId().equals(pending.getId())));
        assertTrue(listed.stream().allMatch(j -> j.getState() == JobState.JOB_STATE_PENDING));
        assertNotEquals(pending.getId(), running.getId());
    }

    @Test
    void submitJob_keepsTheCallersTraceparent_andReplacesAMalformedOneByItsOwnSpan() {
        String traceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        // A plain channel: the injected clients may be traced and send a traceparent of their own.
        ManagedChannel channel = KeyedChannels.withKey(adminKey);
        try {
            Job traced = JobsGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(traceHeader(traceParent)))
                    .submitJob(SubmitJobRequest.newBuilder().setSpec(evaluate(model)).build());
            assertEquals(traceParent, traced.getTraceParent());
            assertEquals(traceParent, jobs.getJob(GetJobRequest.newBuilder().setId(traced.getId()).build()).getTraceParent());
            Job malformed = JobsGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(
                    traceHeader("00-not-a-trace"))).submitJob(SubmitJobRequest.newBuilder().setSpec(evaluate(model)).build());
            // A malformed header is dropped; the job then continues the registry's own server span.
            assertTrue(malformed.getTraceParent().matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]"), malformed.getTraceParent());
            assertTrue(!malformed.getTraceParent().contains(traceParent.substring(3, 35)), malformed.getTraceParent());
        } finally {
            channel.shutdownNow();
        }
    }

    static Metadata traceHeader(String traceParent) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER), traceParent);
        return headers;
    }
}
