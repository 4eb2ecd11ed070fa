package dev.calibra.registry.job;

import dev.calibra.registry.support.Page;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.util.List;
import java.util.Optional;

@ApplicationScoped
public class JobRepository implements PanacheRepositoryBase<JobEntity, String> {

    // Oldest runnable pending job of the asked types; SKIP LOCKED lets concurrent claimers pass each other.
    private static final String CLAIM = """
            WITH candidate AS (
                SELECT j.id FROM job j
                WHERE j.state = 'PENDING' AND j.type IN (:types)
                  AND NOT EXISTS (SELECT 1 FROM job_dependency d JOIN job p ON p.id = d.depends_on
                                  WHERE d.job_id = j.id AND p.state <> 'SUCCEEDED')
                ORDER BY j.created_at, j.id
                LIMIT 1
                FOR UPDATE OF j SKIP LOCKED)
            UPDATE job SET state = 'RUNNING', lease_owner = :worker,
                           lease_expires_at = now() + make_interval(secs => :lease),
                           attempts = attempts + 1, started_at = now(), cancel_requested = FALSE,
                           version = version + 1
            FROM candidate WHERE job.id = candidate.id
            RETURNING job.id""";

    // Expired leases go back to the queue, or fail for good once the attempts are used up.
    private static final String REQUEUE_EXPIRED = """
            UPDATE job SET
                state = CASE WHEN attempts >= max_attempts THEN 'FAILED' ELSE 'PENDING' END,
                error = CASE WHEN attempts >= max_attempts
                        THEN 'the lease of worker ' || lease_owner || ' expired on attempt ' || attempts || ' of '
                             || max_attempts || '; no attempts left'
                        ELSE 'the lease of worker ' || lease_owner || ' expired on attempt ' || attempts
                             || '; queued again' END,
                finished_at = CASE WHEN attempts >= max_attempts THEN now() ELSE NULL END,
                lease_owner = CASE WHEN attempts >= max_attempts THEN lease_owner ELSE NULL END,
                lease_expires_at = NULL,
                version = version + 1
            WHERE state = 'RUNNING' AND lease_expires_at < now()""";

    // A hard limit on one attempt's run time, whatever the heartbeats say.
    private static final String FAIL_OVERDUE = """
            UPDATE job SET state = 'FAILED', finished_at = now(), cancel_requested = TRUE, version = version + 1,
                error = 'the job ran longer than its max_run_seconds of ' || max_run_seconds || ' s and was stopped'
            WHERE state = 'RUNNING' AND max_run_seconds > 0
              AND started_at + make_interval(secs => max_run_seconds) < now()""";

    // A job cannot run once something it depends on failed or was cancelled.
    private static final String FAIL_ORPHANS = """
            UPDATE job SET state = 'FAILED', finished_at = now(), version = job.version + 1,
                error = 'dependency ' || p.id || ' ended ' || p.state || ': ' || p.error
            FROM job_dependency d JOIN job p ON p.id = d.depends_on
            WHERE d.job_id = job.id AND job.state = 'PENDING' AND p.state IN ('FAILED', 'CANCELLED')""";

    public Optional<String> claim(List<String> types, String workerId, int leaseSeconds) {
        @SuppressWarnings("unchecked")
        List<String> ids = getEntityManager().createNativeQuery(CLAIM)
                .setParameter("types", types)
                .setParameter("worker", workerId)
                .setParameter("lease", (double) leaseSeconds)
                .getResultList();
        return ids.stream().findFirst();
    }

    public int requeueExpiredLeases() {
        return getEntityManager().createNativeQuery(REQUEUE_EXPIRED).executeUpdate();
    }

    public int failOverdue() {
        return getEntityManager().createNativeQuery(FAIL_OVERDUE).executeUpdate();
    }

    public int failOrphans() {
        return getEntityManager().createNativeQuery(FAIL_ORPHANS).executeUpdate();
    }

    public Optional<JobEntity> findOwned(String teamId, String id) {
        return find("teamId = ?1 and id = ?2", teamId, id).firstResultOptional();
    }

    /** Reads a job with a row lock, for state changes. */
    public Optional<JobEntity> lockOwned(String teamId, String id) {
        return find("teamId = ?1 and id = ?2", teamId, id).withLock(LockModeType.PESSIMISTIC_WRITE).firstResultOptional();
    }

    public Optional<JobEntity> findByRequestId(String teamId, String requestId) {
        return find("teamId = ?1 and requestId = ?2", teamId, requestId).firstResultOptional();
    }

    public Page<JobEntity> page(String teamId, String state, String type, String studyId, String pageToken, int pageSize) {
        StringBuilder where = new StringBuilder("teamId = :team");
        Parameters parameters = Parameters.with("team", teamId);
        if (state != null) {
            where.append(" and state = :state");
            parameters.and("state", state);
        }
        if (type != null) {
            where.append(" and type = :type");
            parameters.and("type", type);
        }
        if (!studyId.isEmpty()) {
            where.append(" and studyId = :study");
            parameters.and("study", studyId);
        }
        return Page.query(this, where.toString(), parameters, pageToken, pageSize, job -> job.id);
    }

    public List<String> dependenciesOf(String jobId) {
        @SuppressWarnings("unchecked")
        List<String> ids = getEntityManager()
                .createNativeQuery("SELECT depends_on FROM job_dependency WHERE job_id = :id ORDER BY depends_on")
                .setParameter("id", jobId).getResultList();
        return ids;
    }

    public void addDependency(String jobId, String dependsOn) {
        getEntityManager().createNativeQuery("INSERT INTO job_dependency (job_id, depends_on) VALUES (:job, :dep)")
                .setParameter("job", jobId).setParameter("dep", dependsOn).executeUpdate();
    }
}
