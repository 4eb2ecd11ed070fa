package dev.calibra.registry.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import dev.calibra.proto.v1.AdminGrpc;
import dev.calibra.proto.v1.AuditEntry;
import dev.calibra.proto.v1.ClaimJobRequest;
import dev.calibra.proto.v1.EvaluateRequest;
import dev.calibra.proto.v1.HeartbeatRequest;
import dev.calibra.proto.v1.Job;
import dev.calibra.proto.v1.JobSpec;
import dev.calibra.proto.v1.JobType;
import dev.calibra.proto.v1.JobsGrpc;
import dev.calibra.proto.v1.Model;
import dev.calibra.proto.v1.QueryAuditRequest;
import dev.calibra.proto.v1.QueryAuditResponse;
import dev.calibra.proto.v1.RegisterModelRequest;
import dev.calibra.proto.v1.RegistryGrpc;
import dev.calibra.proto.v1.SubmitJobRequest;
import dev.calibra.proto.v1.UpdateModelRequest;
import dev.calibra.proto.v1.WhoAmIRequest;
import dev.calibra.registry.Assets;
import dev.calibra.registry.TestDatabase;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The audit log: who, what, when and how it ended, for every mutating call; append-only; admins query it. */
@QuarkusTest
@QuarkusTestResource(TestDatabase.class)
class AuditTest {

    private static final String REGISTER_MODEL = "calibra.v1.Registry/RegisterModel";

    @GrpcClient("registry") AdminGrpc.AdminBlockingStub admin;
    @GrpcClient("registry") RegistryGrpc.RegistryBlockingStub registry;
    @GrpcClient("registry") JobsGrpc.JobsBlockingStub jobs;
    @Inject EntityManager entityManager;

    @BeforeEach
    void emptyQueue() {
        QuarkusTransaction.requiringNew().run(() -> entityManager.createNativeQuery(
                "UPDATE job SET state = 'CANCELLED', finished_at = now() WHERE state IN ('PENDING', 'RUNNING')").executeUpdate());
    }

    private Model register(String name) {
        return registry.registerModel(RegisterModelRequest.newBuilder().setName(name).setArtifactUri(Assets.stories260K().toString())
                .setArchitecture("LlamaForCausalLM").setParameterCount(260_000).build());
    }

    private AuditEntry newest(String method) {
        return admin.queryAudit(QueryAuditRequest.newBuilder().setMethod(method).setPageSize(1).build()).getEntries(0);
    }

    @Test
    void rows_sayWhoDidWhatToWhich_andHowItEnded() {
        var me = admin.whoAmI(WhoAmIRequest.getDefaultInstance());
        Model model = register("audited-" + UUID.randomUUID());
        AuditEntry ok = newest("RegisterModel");
        assertEquals(REGISTER_MODEL, ok.getMethod());
        assertEquals("default", ok.getTeam());
        assertEquals(me.getKeyId(), ok.getKeyId());
        assertEquals("admin", ok.getRole());
        assertEquals(model.getId(), ok.getTarget());
        assertEquals("OK", ok.getOutcome());
        assertEquals("", ok.getDetail());
        assertTrue(ok.getAt().getSeconds() >= System.currentTimeMillis() / 1000 - 60);

        assertThrows(StatusRuntimeException.class, () -> register(""));
        AuditEntry refused = newest("RegisterModel");
        assertEquals("INVALID_ARGUMENT", refused.getOutcome());
        assertEquals("name is required", refused.getDetail());
        assertTrue(refused.getId() > ok.getId());

        registry.updateModel(UpdateModelRequest.newBuilder().setId(model.getId()).setDescription("d").setUpdateDescription(true).build());
        AuditEntry updated = newest("calibra.v1.Registry/UpdateModel");
        assertEquals(model.getId(), updated.getTarget(), "description changes leave a row naming the model");
        assertEquals("OK", updated.getOutcome());
    }

    @Test
    void workerCalls_claimsAndEndsAreAudited_butNotEmptyPollsOrHeartbeats() {
        Model model = register("worker-audit-" + UUID.randomUUID());
        long before = rowCount();
        ClaimJobRequest claim = ClaimJobRequest.newBuilder().setWorkerId("audit-worker").addTypes(JobType.JOB_TYPE_EVALUATE).build();
        assertFalse(jobs.claimJob(claim).hasJob());
        assertEquals(before, rowCount(), "an empty poll changes nothing and is not recorded");

        Job job = jobs.submitJob(SubmitJobRequest.newBuilder().setSpec(JobSpec.newBuilder().setEvaluate(EvaluateRequest.newBuilder()
                .setModelId(model.getId()).addTasks("copa"))).build());
        assertEquals(job.getId(), newest("SubmitJob").getTarget());
        assertEquals(job.getId(), jobs.claimJob(claim).getJob().getId());
        assertEquals(job.getId(), newest("ClaimJob").getTarget());
        long claimed = rowCount();
        jobs.heartbeat(HeartbeatRequest.newBuilder().setAttempt(1).setJobId(job.getId()).setWorkerId("audit-worker").build());
        assertEquals(claimed, rowCount(), "heartbeats are not recorded");
        jobs.completeJob(dev.calibra.proto.v1.CompleteJobRequest.newBuilder().setAttempt(1).setJobId(job.getId()).setWorkerId("audit-worker").build());
        assertEquals(job.getId(), newest("CompleteJob").getTarget());
    }

    @Test
    void queryAudit_newestFirst_filtered_andPaged() {
        Model model = register("paged-" + UUID.randomUUID());
        Timestamp start = newest("RegisterModel").getAt();
        for (int i = 0; i < 5; i++) {
            registry.updateModel(UpdateModelRequest.newBuilder().setId(model.getId()).setDescription("v" + i).setUpdateDescription(true).build());
        }
        List<AuditEntry> seen = new ArrayList<>();
        String token = "";
        do {
            QueryAuditResponse page = admin.queryAudit(QueryAuditRequest.newBuilder().setMethod("UpdateModel").setTeam("default")
                    .setSince(start).setPageSize(2).setPageToken(token).build());
            assertTrue(page.getEntriesCount() <= 2);
            seen.addAll(page.getEntriesList());
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        assertTrue(seen.size() >= 5, seen.size() + " entries");
        Set<Long> ids = new HashSet<>();
        for (int i = 0; i < seen.size(); i++) {
            assertTrue(ids.add(seen.get(i).getId()), "listed twice: " + seen.get(i).getId());
            assertEquals("calibra.v1.Registry/UpdateModel", seen.get(i).getMethod());
            assertTrue(i == 0 || seen.get(i - 1).getId() > seen.get(i).getId(), "newest first");
        }
        assertEquals(model.getId(), seen.get(0).getTarget());

        assertEquals(seen.get(0), admin.queryAudit(QueryAuditRequest.newBuilder().setMethod("calibra.v1.Registry/UpdateModel")
                .setPageSize(1).build()).getEntries(0), "the full method name filters the same");
        Timestamp future = Timestamp.newBuilder().setSeconds(System.currentTimeMillis() / 1000 + 3600).build();
        assertEquals(0, admin.queryAudit(QueryAuditRequest.newBuilder().setSince(future).build()).getEntriesCount());
        StatusRuntimeException unknownTeam = assertThrows(StatusRuntimeException.class,
                () -> admin.queryAudit(QueryAuditRequest.newBuilder().setTeam("no-such-team").build()));
        assertEquals(Status.Code.NOT_FOUND, unknownTeam.getStatus().getCode());
        StatusRuntimeException badToken = assertThrows(StatusRuntimeException.class,
                () -> admin.queryAudit(QueryAuditRequest.newBuilder().setPageToken("bm90LWEtbnVtYmVy").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, badToken.getStatus().getCode());
    }

    @Test
    void theLogIsAppendOnly_inTheDatabaseItself() {
        register("append-only-" + UUID.randomUUID());
        for (String statement : List.of("UPDATE audit_log SET outcome = 'OK'", "DELETE FROM audit_log", "TRUNCATE audit_log")) {
            PersistenceException refused = assertThrows(PersistenceException.class, () -> QuarkusTransaction.requiringNew().run(() ->
                    entityManager.createNativeQuery(statement).executeUpdate()), statement);
            assertTrue(Stream.iterate((Throwable) refused, e -> e != null, Throwable::getCause)
                    .anyMatch(e -> String.valueOf(e.getMessage()).contains("audit_log rows cannot be changed or removed")), statement);
        }
    }

    private long rowCount() {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) entityManager.createNativeQuery("SELECT count(*) FROM audit_log")
                .getSingleResult()).longValue());
    }
}
