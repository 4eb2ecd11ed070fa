package dev.calibra.registry.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.calibra.proto.v1.AdminGrpc;
import dev.calibra.proto.v1.ClaimJobRequest;
import dev.calibra.proto.v1.ClaimJobResponse;
import dev.calibra.proto.v1.CreateTeamRequest;
import dev.calibra.proto.v1.JobType;
import dev.calibra.proto.v1.JobsGrpc;
import dev.calibra.proto.v1.SetTeamQuotaRequest;
import dev.calibra.proto.v1.Team;
import dev.calibra.registry.KeyedChannels;
import dev.calibra.registry.TestDatabase;
import io.grpc.ManagedChannel;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Claims take turns across teams and respect each team's limit of running jobs (service key, all teams). */
@QuarkusTest
@QuarkusTestResource(TestDatabase.class)
class FairQueueTest {

    @GrpcClient("registry") AdminGrpc.AdminBlockingStub admin;
    @Inject EntityManager entityManager;
    @ConfigProperty(name = "calibra.auth.service-key") String serviceKey;

    private ManagedChannel worker;
    private JobsGrpc.JobsBlockingStub jobs;

    @BeforeEach
    void emptyQueue() {
        QuarkusTransaction.requiringNew().run(() -> entityManager.createNativeQuery(
                "UPDATE job SET state = 'CANCELLED', finished_at = now() WHERE state IN ('PENDING', 'RUNNING')").executeUpdate());
        worker = KeyedChannels.withKey(serviceKey);
        jobs = JobsGrpc.newBlockingStub(worker);
    }

    @AfterEach
    void close() {
        worker.shutdownNow();
    }

    private Team team(int maxRunningJobs) {
        return admin.createTeam(CreateTeamRequest.newBuilder().setName("fair-" + UUID.randomUUID().toString().substring(0, 8))
                .setMaxRunningJobs(maxRunningJobs).build()).getTeam();
    }

    /** Queues count jobs of the team directly (the claim is under test, not SubmitJob), oldest first. */
    private List<String> queue(Team team, int count, String age) {
        @SuppressWarnings("unchecked")
        List<String> ids = QuarkusTransaction.requiringNew().call(() -> entityManager.createNativeQuery("""
                INSERT INTO job (id, team_id, type, state, spec, max_attempts, created_at)
                SELECT 'job-fair-' || :team || '-' || lpad(i::text, 5, '0'), :team, 'EVALUATE', 'PENDING',
                       '{"evaluate":{"modelId":"m","tasks":["copa"]}}', 3,
                       now() - CAST(:age AS interval) + make_interval(secs => i / 1000.0)
                FROM generate_series(1, :count) AS i
                RETURNING id""").setParameter("team", team.getId()).setParameter("age", age).setParameter("count", count)
                .getResultList());
        return ids;
    }

    private ClaimJobResponse claim() {
        return jobs.claimJob(ClaimJobRequest.newBuilder().setWorkerId("fair-worker").addTypes(JobType.JOB_TYPE_EVALUATE)
                .setLeaseSeconds(600).build());
    }

    @Test
    void claims_rotateAcrossTeams_aThousandJobsOfOneTeamDoNotStarveAnothersOne() {
        Team busy = team(0);
        Team small = team(0);
        queue(busy, 1000, "1 hour");
        String lonely = queue(small, 1, "1 second").get(0);

        ClaimJobResponse first = claim();
        ClaimJobResponse second = claim();
        assertEquals(busy.getName(), first.getJob().getTeam(), "equal running counts: the oldest runnable job goes first");
        assertEquals(lonely, second.getJob().getId(), "the team with fewer running jobs goes next");
        // Both teams now run one job; the busy team's oldest waiting job is older, so its turn comes next.
        assertEquals(busy.getName(), claim().getJob().getTeam());
        assertEquals(busy.getName(), claim().getJob().getTeam(), "the small team has nothing left to run");
    }

    @Test
    void quota_heldBack_whileTheTeamRunsItsLimit_andRaisedAtOnce() {
        Team limited = team(1);
        List<String> queued = queue(limited, 2, "1 minute");
        assertEquals(queued.get(0), claim().getJob().getId());
        assertFalse(claim().hasJob(), "one job runs and the limit is 1: nothing to claim");

        admin.setTeamQuota(SetTeamQuotaRequest.newBuilder().setTeam(limited.getName()).setMaxRunningJobs(2).build());
        assertEquals(queued.get(1), claim().getJob().getId());
    }

    @Test
    void quota_holdsUnderConcurrentClaimers() throws Exception {
        Team limited = team(2);
        queue(limited, 20, "1 minute");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> claims = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                claims.add(pool.submit((Callable<Boolean>) () -> claim().hasJob()));
            }
            int claimed = 0;
            for (Future<Boolean> claim : claims) {
                claimed += claim.get(60, TimeUnit.SECONDS) ? 1 : 0;
            }
            // Claimers of a limited team wait for its lock and count again under it: exactly the limit.
            assertEquals(2, claimed, claimed + " claims for a team limited to 2");
        } finally {
            pool.shutdownNow();
        }
        assertEquals(2L, QuarkusTransaction.requiringNew().call(() -> ((Number) entityManager.createNativeQuery(
                "SELECT count(*) FROM job WHERE team_id = :team AND state = 'RUNNING'").setParameter("team", limited.getId())
                .getSingleResult()).longValue()));
    }
}
