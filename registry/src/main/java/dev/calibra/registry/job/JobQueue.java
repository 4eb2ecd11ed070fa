package dev.calibra.registry.job;

import dev.calibra.proto.v1.JobSpec;
import dev.calibra.proto.v1.JobType;
import dev.calibra.proto.v1.Progress;
import dev.calibra.proto.v1.SubmitJobRequest;
import dev.calibra.registry.support.StoreOwnership;
import dev.calibra.registry.support.Checks;
import dev.calibra.registry.support.Ids;
import dev.calibra.registry.support.JdbcBatches;
import dev.calibra.registry.support.Json;
import dev.calibra.registry.support.Page;
import dev.calibra.registry.team.TeamScope;
import dev.calibra.rpc.CalibraException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import jakarta.transaction.Transactional;
import dev.calibra.registry.support.Times;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * The job queue. PENDING -> RUNNING (claim, with a lease) -> SUCCEEDED | FAILED | CANCELLED; a lease
 * that is not renewed puts the job back to PENDING until its attempts are used up.
 */
@ApplicationScoped
public class JobQueue {

    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    public static final int DEFAULT_LEASE_SECONDS = 60;
    private static final int MAX_LEASE_SECONDS = 3600;

    private final JobRepository jobs;
    private final JobInputs inputs;
    private final StoreOwnership store;
    private final int defaultMaxPending;
    // The database's max_connections, read once: how many submissions can hold a shared team lock at once.
    private volatile int slack;

    public JobQueue(JobRepository jobs, JobInputs inputs, StoreOwnership store,
            @ConfigProperty(name = "calibra.jobs.default-team-max-pending") int defaultMaxPending) {
        if (defaultMaxPending <= 0) {
            throw new IllegalArgumentException("calibra.jobs.default-team-max-pending must be > 0, got " + defaultMaxPending);
        }
        this.defaultMaxPending = defaultMaxPending;
        this.store = store;
        this.jobs = jobs;
        this.inputs = inputs;
    }

    /**
     * Queues a job of the scope's team; a repeated request_id returns the first job, even under a
     * concurrent race. Every input the spec names, and every dependency, must be visible to the team.
     *
     * @param traceParent W3C traceparent of the submitting call, or empty
     */
    public JobEntity submit(TeamScope scope, SubmitJobRequest request, String traceParent) {
        String teamId = scope.teamId();
        String type = checkedType(request);
        String requestId = request.getRequestId();
        try {
            try {
                return QuarkusTransaction.requiringNew().call(() -> insert(scope, type, request, traceParent, JobRepository.TeamLock.SHARED));
            } catch (NearTheLimit near) {
                return QuarkusTransaction.requiringNew().call(() -> insert(scope, type, request, traceParent, JobRepository.TeamLock.EXCLUSIVE));
            }
        } catch (RuntimeException e) {
            // Lost a race on (team, request_id): the winner's job is the answer.
            if (!requestId.isEmpty()) {
                Optional<JobEntity> winner = QuarkusTransaction.requiringNew().call(() -> jobs.findByRequestId(teamId, requestId));
                if (winner.isPresent()) {
                    return winner.get();
                }
            }
            throw e;
        }
    }

    /** A submission under a shared team lock found the team too near its limit: it retries under an exclusive one. */
    private static final class NearTheLimit extends RuntimeException {
        NearTheLimit() {
            super("near the team's max_pending_jobs", null, false, false);
        }
    }

    private JobEntity insert(TeamScope scope, String type, SubmitJobRequest request, String traceParent, JobRepository.TeamLock lock) {
        if (!request.getRequestId().isEmpty()) {
            Optional<JobEntity> existing = jobs.findByRequestId(scope.teamId(), request.getRequestId());
            if (existing.isPresent()) {
                return existing.get();
            }
        }
        LinkedHashSet<String> dependencies = new LinkedHashSet<>(request.getDependsOnList());
        for (String dependency : dependencies) {
            if (jobs.findVisible(scope, dependency).isEmpty()) {
                throw CalibraException.notFound("depends_on " + dependency + " is not a job this team can see");
            }
        }
        inputs.requireVisible(scope, request.getSpec());
        requireRoomForOne(scope.teamId(), lock);
        JobEntity job = newJob(scope.teamId(), type, request, traceParent);
        jobs.persist(job);
        jobs.flush();
        jobs.addDependencies(dependencies.stream().map(dependency -> new JobRepository.Dependency(job.id, dependency)).toList());
        return job;
    }

    private static String checkedType(SubmitJobRequest request) {
        String type = typeOf(request.getSpec());
        if (request.getMaxAttempts() < 0) {
            throw CalibraException.invalidArgument("max_attempts must be >= 0, got " + request.getMaxAttempts());
        }
        if (request.getMaxRunSeconds() < 0) {
            throw CalibraException.invalidArgument("max_run_seconds must be >= 0, got " + request.getMaxRunSeconds());
        }
        return type;
    }

    private static JobEntity newJob(String teamId, String type, SubmitJobRequest request, String traceParent) {
        JobEntity job = new JobEntity();
        job.id = Ids.next("job");
        job.teamId = teamId;
        job.traceParent = traceParent;
        job.type = type;
        JobLifecycle.apply(job, JobLifecycle.Transition.SUBMIT, "");
        job.spec = Json.ofMessage(request.getSpec());
        job.requestId = request.getRequestId().isEmpty() ? null : request.getRequestId();
        job.maxAttempts = request.getMaxAttempts() == 0 ? DEFAULT_MAX_ATTEMPTS : request.getMaxAttempts();
        job.maxRunSeconds = request.getMaxRunSeconds();
        job.progress = "{}";
        job.resultIds = "[]";
        job.error = "";
        job.studyId = request.getStudyId().isEmpty() ? null : request.getStudyId();
        job.checkpointUri = "";
        job.createdAt = Times.now();
        return job;
    }

    /**
     * Starts queueing many jobs in the caller's transaction (a study's grid): the team row is locked
     * exclusively once, each distinct input is checked once, and the rows go to the database in JDBC batches
     * when {@link Batch#finish} checks the team's room for all of them. Nothing is visible to claimers before
     * the transaction commits, and a refusal anywhere leaves none of the batch.
     */
    public Batch batch(TeamScope scope, String traceParent) {
        return new Batch(scope, traceParent, jobs.pending(scope.teamId(), JobRepository.TeamLock.EXCLUSIVE));
    }

    /** Jobs being queued together; see {@link #batch}. */
    public final class Batch {
        private final TeamScope scope;
        private final String traceParent;
        private final JobRepository.Pending pending;
        /** Inputs known to be visible: models, corpora, sets, and jobs (this batch's among them). */
        private final java.util.Set<String> checkedInputs = new java.util.HashSet<>();
        private final java.util.List<JobRepository.Dependency> dependencies = new java.util.ArrayList<>();
        private int added;

        private Batch(TeamScope scope, String traceParent, JobRepository.Pending pending) {
            this.scope = scope;
            this.traceParent = traceParent;
            this.pending = pending;
            jobs.getEntityManager().unwrap(org.hibernate.Session.class).setJdbcBatchSize(JdbcBatches.SIZE);
        }

        /** Queues one job; its dependencies are jobs of this batch or jobs the team can see. */
        public JobEntity add(SubmitJobRequest request) {
            String type = checkedType(request);
            LinkedHashSet<String> dependsOn = new LinkedHashSet<>(request.getDependsOnList());
            for (String dependency : dependsOn) {
                if (checkedInputs.add("job " + dependency) && jobs.findVisible(scope, dependency).isEmpty()) {
                    throw CalibraException.notFound("depends_on " + dependency + " is not a job this team can see");
                }
            }
            inputs.requireVisible(scope, request.getSpec(), checkedInputs);
            JobEntity job = newJob(scope.teamId(), type, request, traceParent);
            jobs.persist(job);
            checkedInputs.add("job " + job.id);
            added++;
            dependsOn.forEach(dependency -> dependencies.add(new JobRepository.Dependency(job.id, dependency)));
            return job;
        }

        /** Refuses the whole batch when it would pass the team's max_pending_jobs; otherwise writes it. */
        public void finish() {
            requireRoom(pending, added);
            jobs.flush();
            jobs.addDependencies(dependencies);
        }
    }

    public JobEntity get(TeamScope scope, String id) {
        Checks.required(id, "id");
        return jobs.findVisible(scope, id).orElseThrow(() -> CalibraException.notFound("job " + id + " does not exist"));
    }

    public Page<JobEntity> list(TeamScope scope, JobLifecycle.State state, String type, String studyId, String pageToken, int pageSize) {
        return jobs.page(scope, state, type, studyId, pageToken, pageSize);
    }

    public List<String> dependenciesOf(String jobId) {
        return jobs.dependenciesOf(jobId);
    }

    @Transactional
    public JobEntity cancel(TeamScope scope, String id, String reason) {
        JobEntity job = locked(scope, id);
        if (job.isFinished()) {
            return job;
        }
        String why = reason.isBlank() ? "cancelled by request" : "cancelled: " + reason;
        if (job.state == JobLifecycle.State.RUNNING) {
            // The worker learns it at its next heartbeat and stops; it cannot complete the job any more.
            job.cancelRequested = true;
        }
        JobLifecycle.apply(job, JobLifecycle.Transition.CANCEL, why);
        return job;
    }

    /**
     * Claims a runnable job of the given types, or empty when there is none: teams take turns (fewest
     * RUNNING jobs first, teams at their limit skipped), then the team's oldest runnable job.
     *
     * @param onlyTeamId claim only this team's jobs; null for every team's (service keys)
     */
    @Transactional
    public Optional<JobEntity> claim(String workerId, List<JobType> types, int leaseSeconds, String onlyTeamId) {
        Checks.required(workerId, "worker_id");
        if (types.isEmpty()) {
            throw CalibraException.invalidArgument("types must name at least one job type");
        }
        List<String> typeNames = types.stream().map(JobTypes::fromProto).distinct().toList();
        return jobs.claim(typeNames, workerId, leaseSeconds(leaseSeconds), onlyTeamId).map(id -> withInputs(jobs.findById(id)));
    }

    /**
     * Fills the inputs a job left empty from the results of the jobs it depends on: a CALIBRATE
     * dependency supplies the calibration set, a COMPRESS dependency the model. Workers then run the spec
     * as it stands, and the filled spec is recorded.
     */
    private JobEntity withInputs(JobEntity job) {
        List<String> dependencies = jobs.dependenciesOf(job.id);
        if (dependencies.isEmpty()) {
            return job;
        }
        JobSpec.Builder spec = Json.toMessage(job.spec, JobSpec.newBuilder());
        for (String dependencyId : dependencies) {
            JobEntity dependency = jobs.findById(dependencyId);
            List<String> results = Json.toList(dependency.resultIds);
            if (results.isEmpty()) {
                continue;
            }
            String produced = results.get(0);
            switch (dependency.type) {
                case "CALIBRATE" -> {
                    if (spec.hasCompress() && spec.getCompress().getCalibrationSetId().isEmpty()) {
                        spec.getCompressBuilder().setCalibrationSetId(produced);
                    }
                }
                case "COMPRESS" -> {
                    if (spec.hasEvaluate() && spec.getEvaluate().getModelId().isEmpty()) {
                        spec.getEvaluateBuilder().setModelId(produced);
                    }
                    if (spec.hasCompress() && spec.getCompress().getModelId().isEmpty()) {
                        spec.getCompressBuilder().setModelId(produced);
                    }
                }
                default -> { }
            }
        }
        job.spec = Json.ofMessage(spec.build());
        return job;
    }

    /**
     * One more job, under a shared lock while the team is far below its limit: submissions then run side by
     * side instead of queueing on the team row. Each one in flight sees at most limit - slack - 1 committed jobs
     * and adds one, and no more than slack are in flight at once (the database's max_connections), so together
     * they stay within the limit; an exclusive holder waits for all of them and counts exactly. Nearer the
     * limit, throws {@link NearTheLimit} for the caller to start again exclusively.
     */
    private void requireRoomForOne(String teamId, JobRepository.TeamLock lock) {
        JobRepository.Pending pending = jobs.pending(teamId, lock);
        if (lock == JobRepository.TeamLock.SHARED && pending.count() + 1 + slack() > limitOf(pending)) {
            throw new NearTheLimit();
        }
        requireRoom(pending, 1);
    }

    private int slack() {
        int known = slack;
        if (known == 0) {
            known = jobs.maxConnections();
            slack = known;
        }
        return known;
    }

    private int limitOf(JobRepository.Pending pending) {
        return pending.maxPending() > 0 ? pending.maxPending() : defaultMaxPending;
    }

    private void requireRoom(JobRepository.Pending pending, int more) {
        int limit = limitOf(pending);
        if (pending.count() + more > limit) {
            throw new CalibraException(CalibraException.Kind.RESOURCE_EXHAUSTED, "team " + pending.teamName() + " has "
                    + pending.count() + " jobs waiting and its max_pending_jobs is " + limit + "; " + more
                    + " more would pass it (wait for jobs to finish, or ask an admin: calibra admin teams quota TEAM MAX_RUNNING --max-pending N)");
        }
    }

    /** Renews the lease and records progress; says whether the worker should stop. */
    @Transactional
    public JobEntity heartbeat(TeamScope scope, String jobId, String workerId, int attempt, Progress progress,
            String checkpointUri, int leaseSeconds) {
        JobEntity job = leased(scope, jobId, workerId, attempt);
        if (job.state == JobLifecycle.State.RUNNING) {
            job.leaseExpiresAt = Times.now().plusSeconds(leaseSeconds(leaseSeconds));
            if (progress != null) {
                job.progress = Json.ofMessage(progress);
            }
            if (!checkpointUri.isEmpty()) {
                job.checkpointUri = store.requireCheckpointOf(job.teamId, job.id, checkpointUri);
            }
            job.version++;
        }
        return job;
    }

    @Transactional
    public JobEntity complete(TeamScope scope, String jobId, String workerId, int attempt, List<String> resultIds) {
        JobEntity job = leased(scope, jobId, workerId, attempt);
        if (job.state != JobLifecycle.State.RUNNING) {
            throw CalibraException.failedPrecondition("job " + jobId + " is " + job.state + " (" + job.error
                    + "); its result is not accepted");
        }
        job.resultIds = Json.ofList(resultIds);
        job.progress = Json.ofMessage(Progress.newBuilder().setFraction(1).setMessage("done").build());
        JobLifecycle.apply(job, JobLifecycle.Transition.COMPLETE, "");
        return job;
    }

    @Transactional
    public JobEntity fail(TeamScope scope, String jobId, String workerId, int attempt, String error, boolean retryable) {
        JobEntity job = leased(scope, jobId, workerId, attempt);
        if (job.state != JobLifecycle.State.RUNNING) {
            return job;
        }
        String reason = error.isBlank() ? "the worker reported a failure without a reason" : error;
        if (retryable && job.attempts < job.maxAttempts) {
            JobLifecycle.apply(job, JobLifecycle.Transition.RETRY,
                    reason + " (attempt " + job.attempts + " of " + job.maxAttempts + "; queued again)");
        } else {
            JobLifecycle.apply(job, JobLifecycle.Transition.FAIL, reason);
        }
        return job;
    }

    /** Lease expiry, run-time limits and failed dependencies; run periodically and before claims. */
    @Transactional
    public int reap() {
        return jobs.run(JobLifecycle.Transition.EXPIRE_LEASE_FAIL) + jobs.run(JobLifecycle.Transition.EXPIRE_LEASE_REQUEUE)
                + jobs.run(JobLifecycle.Transition.FAIL_OVERDUE) + jobs.run(JobLifecycle.Transition.FAIL_ORPHAN);
    }

    /** The job, locked for a change by its owner team. */
    private JobEntity locked(TeamScope scope, String id) {
        Checks.required(id, "id");
        String notFound = "job " + id + " does not exist";
        JobEntity job = jobs.lockVisible(scope, id).orElseThrow(() -> CalibraException.notFound(notFound));
        scope.checkChange(job.teamId, "job " + id, notFound);
        return job;
    }

    /**
     * The job, locked, provided this worker holds (or held, until the job finished) its lease.
     *
     * @param scope the caller's team, whose jobs only it may report on; null for service keys, which
     *     run every team's jobs
     */
    private JobEntity leased(TeamScope scope, String jobId, String workerId, int attempt) {
        Checks.required(workerId, "worker_id");
        if (attempt <= 0) {
            throw CalibraException.invalidArgument("attempt: required, the job's attempts when this worker claimed it");
        }
        JobEntity job = jobs.findById(Checks.required(jobId, "job_id"), jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
        String notFound = "job " + jobId + " does not exist";
        if (job == null) {
            throw CalibraException.notFound(notFound);
        }
        if (scope != null) {
            scope.checkChange(job.teamId, "job " + jobId, notFound);
        }
        if (!workerId.equals(job.leaseOwner)) {
            throw CalibraException.failedPrecondition("worker " + workerId + " does not hold the lease of job " + jobId
                    + " (state " + job.state + ", lease owner " + (job.leaseOwner == null ? "none" : job.leaseOwner)
                    + "); stop working on it");
        }
        // worker ids can repeat (a restarted container, a copied id): the attempt tells a superseded claim apart
        if (attempt != job.attempts) {
            throw CalibraException.failedPrecondition("worker " + workerId + " holds attempt " + attempt + " of job " + jobId
                    + ", which is on attempt " + job.attempts + "; stop working on it");
        }
        return job;
    }

    private static int leaseSeconds(int requested) {
        if (requested < 0 || requested > MAX_LEASE_SECONDS) {
            throw CalibraException.invalidArgument("lease_seconds must be between 0 and " + MAX_LEASE_SECONDS + ", got " + requested);
        }
        return requested == 0 ? DEFAULT_LEASE_SECONDS : requested;
    }

    static String typeOf(JobSpec spec) {
        return switch (spec.getSpecCase()) {
            case CALIBRATE -> "CALIBRATE";
            case COMPRESS -> "COMPRESS";
            case EVALUATE -> "EVALUATE";
            case SPEC_NOT_SET -> throw CalibraException.invalidArgument("spec must set one of calibrate, compress or evaluate");
        };
    }
}
