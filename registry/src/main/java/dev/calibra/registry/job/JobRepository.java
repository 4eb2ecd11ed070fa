package dev.calibra.registry.job;

import dev.calibra.rpc.CalibraException;
import dev.calibra.registry.support.JdbcBatches;
import dev.calibra.registry.support.Page;
import dev.calibra.registry.team.TeamScope;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.util.List;
import java.util.Optional;

@ApplicationScoped
public class JobRepository implements PanacheRepositoryBase<JobEntity, String> {

    // Teams with runnable work and room under their limit, fairest first: fewest RUNNING jobs, then
    // the oldest runnable job. Each team costs two index lookups (job_running_team, job_pending_team).
    private static final String TEAMS_IN_TURN = """
            SELECT t.id, t.max_running_jobs FROM team t
            CROSS JOIN LATERAL (SELECT count(*) AS running FROM job r WHERE r.team_id = t.id AND r.state = 'RUNNING') c
            CROSS JOIN LATERAL (SELECT j.created_at, j.id FROM job j WHERE j.team_id = t.id AND %s
                                ORDER BY j.created_at, j.id LIMIT 1) oldest
            WHERE (t.max_running_jobs = 0 OR c.running < t.max_running_jobs) %s
            ORDER BY c.running, oldest.created_at, oldest.id""".formatted(JobLifecycle.RUNNABLE, "%s");

    /**
     * Claims one job for the worker: from the team whose turn it is (see TEAMS_IN_TURN), its oldest
     * runnable job. A team with a limit is locked (FOR NO KEY UPDATE, which job inserts do not wait
     * for) and its RUNNING jobs counted again under the lock, so concurrent claimers never exceed the
     * limit. Only the first such lock is waited for, later ones are skipped when taken: a claimer
     * that waits holds no team lock, so claimers cannot deadlock.
     *
     * @param onlyTeamId restricts the claim to one team's jobs; null for every team (service keys)
     */
    public Optional<String> claim(List<String> types, String workerId, int leaseSeconds, String onlyTeamId) {
        String teamsQuery = TEAMS_IN_TURN.formatted(onlyTeamId == null ? "" : "AND t.id = :only");
        var query = getEntityManager().createNativeQuery(teamsQuery).setParameter("types", types);
        if (onlyTeamId != null) {
            query.setParameter("only", onlyTeamId);
        }
        @SuppressWarnings("unchecked")
        List<Object[]> teams = query.getResultList();
        boolean holdingTeamLock = false;
        for (Object[] team : teams) {
            String teamId = (String) team[0];
            if (((Number) team[1]).intValue() > 0) {
                if (!roomUnderLimit(teamId, holdingTeamLock)) {
                    continue;
                }
                holdingTeamLock = true;
            }
            @SuppressWarnings("unchecked")
            List<String> ids = getEntityManager().createNativeQuery(JobLifecycle.Transition.CLAIM.sql())
                    .setParameter("team", teamId)
                    .setParameter("types", types)
                    .setParameter("worker", workerId)
                    .setParameter("lease", (double) leaseSeconds)
                    .getResultList();
            if (!ids.isEmpty()) {
                return Optional.of(ids.get(0));
            }
        }
        return Optional.empty();
    }

    /** A team's waiting jobs and its own limit (0: the default). */
    public record Pending(String teamName, int maxPending, long count) {}

    /** How {@link #pending} holds the team row until the transaction ends. */
    public enum TeamLock {
        /** Submissions side by side: each adds one job, far enough below the limit that all of them together fit. */
        SHARED("FOR SHARE"),
        /** One at a time, counting every other submission's jobs: near the limit, and for a study's many jobs. */
        EXCLUSIVE("FOR NO KEY UPDATE");

        private final String sql;

        TeamLock(String sql) {
            this.sql = sql;
        }
    }

    public Pending pending(String teamId, TeamLock lock) {
        @SuppressWarnings("unchecked")
        List<Object[]> team = getEntityManager().createNativeQuery(
                "SELECT name, max_pending_jobs FROM team WHERE id = :team " + lock.sql).setParameter("team", teamId)
                .getResultList();
        if (team.isEmpty()) {
            throw CalibraException.notFound("team " + teamId + " does not exist");
        }
        return new Pending((String) team.get(0)[0], ((Number) team.get(0)[1]).intValue(), count(teamId, JobLifecycle.State.PENDING));
    }

    /**
     * The team's jobs in a state. The state is a literal, not a parameter: the partial indexes job_pending_team and
     * job_running_team serve only a query whose plan knows it.
     */
    private long count(String teamId, JobLifecycle.State state) {
        Number count = (Number) getEntityManager()
                .createNativeQuery("SELECT count(*) FROM job WHERE team_id = :team AND state = '" + state.name() + "'")
                .setParameter("team", teamId).getSingleResult();
        return count.longValue();
    }

    /** How many sessions the database admits at once: the most submissions that can be in flight together. */
    public int maxConnections() {
        return Integer.parseInt((String) getEntityManager().createNativeQuery("SHOW max_connections").getSingleResult());
    }

    private boolean roomUnderLimit(String teamId, boolean skipIfLocked) {
        @SuppressWarnings("unchecked")
        List<Number> limit = getEntityManager().createNativeQuery("SELECT max_running_jobs FROM team WHERE id = :team FOR NO KEY UPDATE"
                + (skipIfLocked ? " SKIP LOCKED" : "")).setParameter("team", teamId).getResultList();
        if (limit.isEmpty()) {
            return false;
        }
        return limit.get(0).intValue() == 0 || count(teamId, JobLifecycle.State.RUNNING) < limit.get(0).intValue();
    }

    /** Runs one of the transitions the database applies in bulk; the number of jobs it moved. */
    public int run(JobLifecycle.Transition transition) {
        if (transition.sql() == null || transition == JobLifecycle.Transition.CLAIM) {
            throw new IllegalArgumentException(transition + " is not a bulk transition");
        }
        return getEntityManager().createNativeQuery(transition.sql()).executeUpdate();
    }

    /** A job the scope may read. */
    public Optional<JobEntity> findVisible(TeamScope scope, String id) {
        return find(scope.readableClause() + " and id = :id", scope.readableParameters().and("id", id)).firstResultOptional();
    }

    /** Reads a job with a row lock, for state changes. */
    public Optional<JobEntity> lockVisible(TeamScope scope, String id) {
        return find(scope.readableClause() + " and id = :id", scope.readableParameters().and("id", id)).withLock(LockModeType.PESSIMISTIC_WRITE).firstResultOptional();
    }

    public Optional<JobEntity> findByRequestId(String teamId, String requestId) {
        return find("teamId = ?1 and requestId = ?2", teamId, requestId).firstResultOptional();
    }

    public Page<JobEntity> page(TeamScope scope, JobLifecycle.State state, String type, String studyId, String pageToken, int pageSize) {
        StringBuilder where = new StringBuilder(scope.readableClause());
        Parameters parameters = scope.readableParameters();
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

    /** Job {@code jobId} waits for job {@code dependsOn}. */
    public record Dependency(String jobId, String dependsOn) {}

    /** Inserts the dependencies in JDBC batches (a study's grid has thousands). */
    public void addDependencies(List<Dependency> dependencies) {
        JdbcBatches.execute(getEntityManager(), "INSERT INTO job_dependency (job_id, depends_on) VALUES (?, ?)", dependencies,
                (insert, dependency) -> {
                    insert.setString(1, dependency.jobId());
                    insert.setString(2, dependency.dependsOn());
                });
    }

    /** The team's jobs with these request ids, by request id (looked up a thousand at a time). */
    public java.util.Map<String, JobEntity> findByRequestIds(String teamId, java.util.Collection<String> requestIds) {
        java.util.Map<String, JobEntity> found = new java.util.HashMap<>();
        List<String> all = List.copyOf(new java.util.LinkedHashSet<>(requestIds));
        for (int from = 0; from < all.size(); from += 1000) {
            find("teamId = ?1 and requestId in ?2", teamId, all.subList(from, Math.min(all.size(), from + 1000)))
                    .stream().forEach(job -> found.put(job.requestId, job));
        }
        return found;
    }
}
