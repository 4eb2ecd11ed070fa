package dev.calibra.registry.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.calibra.proto.v1.AdminGrpc;
import dev.calibra.proto.v1.CreateStudyRequest;
import dev.calibra.proto.v1.CreateTeamRequest;
import dev.calibra.proto.v1.EvaluateRequest;
import dev.calibra.proto.v1.GrantReadRequest;
import dev.calibra.proto.v1.Job;
import dev.calibra.proto.v1.JobEvent;
import dev.calibra.proto.v1.JobSpec;
import dev.calibra.proto.v1.JobsGrpc;
import dev.calibra.proto.v1.ListStudiesRequest;
import dev.calibra.proto.v1.RegisterModelRequest;
import dev.calibra.proto.v1.RegistryGrpc;
import dev.calibra.proto.v1.RevokeReadRequest;
import dev.calibra.proto.v1.SetTeamQuotaRequest;
import dev.calibra.proto.v1.StudiesGrpc;
import dev.calibra.proto.v1.SubmitJobRequest;
import dev.calibra.proto.v1.WatchJobRequest;
import dev.calibra.registry.Assets;
import dev.calibra.registry.KeyedChannels;
import dev.calibra.registry.TestDatabase;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Iterator;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What keeps one team from filling the shared queue, and a watch from outliving the access it began with. */
@QuarkusTest
@QuarkusTestResource(TestDatabase.class)
class SharedLimitsTest {

    @GrpcClient("registry") AdminGrpc.AdminBlockingStub admin;

    private record Team(String name, ManagedChannel channel, String model) {}

    private Team team(int maxPending) {
        String name = "limits-" + UUID.randomUUID().toString().substring(0, 8);
        String secret = admin.createTeam(CreateTeamRequest.newBuilder().setName(name).setMaxPendingJobs(maxPending).build())
                .getSecret();
        ManagedChannel channel = KeyedChannels.withKey(secret);
        String model = RegistryGrpc.newBlockingStub(channel).registerModel(RegisterModelRequest.newBuilder()
                .setName("stories").setArtifactUri(Assets.stories260K().toString()).setArchitecture("LlamaForCausalLM")
                .setParameterCount(260_000).build()).getId();
        return new Team(name, channel, model);
    }

    private static SubmitJobRequest evaluate(String model, String task) {
        return SubmitJobRequest.newBuilder().setSpec(JobSpec.newBuilder().setEvaluate(EvaluateRequest.newBuilder()
                .setModelId(model).addTasks(task))).build();
    }

    @Test
    void aTeamsWaitingJobs_stopAtItsMaxPending_andAStudyBeyondItIsRefusedWhole() {
        Team team = team(2);
        JobsGrpc.JobsBlockingStub jobs = JobsGrpc.newBlockingStub(team.channel());
        jobs.submitJob(evaluate(team.model(), "copa"));
        StatusRuntimeException full;
        try {
            jobs.submitJob(evaluate(team.model(), "piqa"));
            full = assertThrows(StatusRuntimeException.class, () -> jobs.submitJob(evaluate(team.model(), "arc_easy")));
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, full.getStatus().getCode());
            assertTrue(full.getStatus().getDescription().contains("max_pending_jobs is 2"), full.getStatus().getDescription());

            admin.setTeamQuota(SetTeamQuotaRequest.newBuilder().setTeam(team.name()).setMaxPendingJobs(3).build());
            jobs.submitJob(evaluate(team.model(), "arc_easy"));
            StudiesGrpc.StudiesBlockingStub studies = StudiesGrpc.newBlockingStub(team.channel());
            StatusRuntimeException study = assertThrows(StatusRuntimeException.class, () -> studies.createStudy(
                    CreateStudyRequest.newBuilder().setSpecYaml("""
                            name: too-many
                            models: [%s]
                            include_dense: true
                            evaluation:
                              tasks: [copa]
                            """.formatted(team.model())).build()));
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, study.getStatus().getCode(), study.getStatus().getDescription());
            assertEquals(0, studies.listStudies(ListStudiesRequest.getDefaultInstance()).getStudiesCount(),
                    "no study was left half-submitted");
        } finally {
            team.channel().shutdownNow();
        }
    }

    @Test
    void concurrentSubmissions_fillATeamExactlyToItsMaxPending_throughBothTheSharedAndTheExclusiveLock() throws Exception {
        // 150 is above the database's max_connections (the shared lock's slack, 100 here) by 50: the first
        // submissions take the shared lock, the last ones the exclusive one.
        Team team = team(150);
        JobsGrpc.JobsBlockingStub jobs = JobsGrpc.newBlockingStub(team.channel());
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(24);
        try {
            java.util.List<java.util.concurrent.Future<Status.Code>> outcomes = new java.util.ArrayList<>();
            for (int i = 0; i < 200; i++) {
                outcomes.add(pool.submit(() -> {
                    try {
                        jobs.submitJob(evaluate(team.model(), "copa"));
                        return Status.Code.OK;
                    } catch (StatusRuntimeException refused) {
                        return refused.getStatus().getCode();
                    }
                }));
            }
            java.util.Map<Status.Code, Integer> counts = new java.util.EnumMap<>(Status.Code.class);
            for (var outcome : outcomes) {
                counts.merge(outcome.get(), 1, Integer::sum);
            }
            assertEquals(java.util.Map.of(Status.Code.OK, 150, Status.Code.RESOURCE_EXHAUSTED, 50), counts);
            assertEquals(150, jobs.listJobs(dev.calibra.proto.v1.ListJobsRequest.newBuilder().setPageSize(500).build()).getJobsCount());
        } finally {
            pool.shutdownNow();
            team.channel().shutdownNow();
        }
    }

    @Test
    void aWatchOfAGrantedTeamsJob_endsWhenTheGrantIsRevoked() {
        Team owner = team(0);
        Team reader = team(0);
        try {
            AdminGrpc.newBlockingStub(owner.channel()).grantRead(GrantReadRequest.newBuilder().setReaderTeam(reader.name()).build());
            Job job = JobsGrpc.newBlockingStub(owner.channel()).submitJob(evaluate(owner.model(), "copa"));
            Iterator<JobEvent> events = JobsGrpc.newBlockingStub(reader.channel())
                    .withDeadlineAfter(30, java.util.concurrent.TimeUnit.SECONDS)
                    .watchJob(WatchJobRequest.newBuilder().setId(job.getId()).build());
            assertEquals(job.getId(), events.next().getJob().getId());
            AdminGrpc.newBlockingStub(owner.channel()).revokeRead(RevokeReadRequest.newBuilder().setReaderTeam(reader.name()).build());
            StatusRuntimeException ended = assertThrows(StatusRuntimeException.class, () -> {
                while (events.hasNext()) {
                    events.next();
                }
            });
            assertEquals(Status.Code.NOT_FOUND, ended.getStatus().getCode(), ended.getStatus().toString());
        } finally {
            owner.channel().shutdownNow();
            reader.channel().shutdownNow();
        }
    }
}
