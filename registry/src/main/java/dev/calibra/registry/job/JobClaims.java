package dev.calibra.registry.job;

import dev.calibra.registry.support.Checks;
import dev.calibra.registry.support.Times;
import dev.calibra.registry.team.TeamScope;
import dev.calibra.rpc.CalibraException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;

/**
 * Whether a worker still holds the claim it registers a job's output under. A worker that lost its lease
 * (a long pause, a partition) may finish its work after another worker took the job over; its output must
 * not be registered next to the new attempt's. The job row stays locked until the caller's transaction
 * commits, so the lease cannot pass to another worker between this check and the registration.
 */
@ApplicationScoped
public class JobClaims {

    private final JobRepository jobs;

    public JobClaims(JobRepository jobs) {
        this.jobs = jobs;
    }

    /**
     * A registered output names its producing job only under that job's current claim: with a worker id, the
     * claim must hold ({@link #requireCurrent}); a job id without one is refused. {@code what} names the output.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void requireForOutput(TeamScope scope, String jobField, String jobId, String workerId, int attempt, String what) {
        if (!workerId.isEmpty()) {
            requireCurrent(scope, Checks.required(jobId, jobField), workerId, attempt);
        } else if (!jobId.isEmpty()) {
            throw CalibraException.invalidArgument(jobField + " needs producing_worker_id and producing_attempt: "
                    + what + " is registered as a job's output only under its claim");
        }
    }

    /**
     * Throws FAILED_PRECONDITION unless job {@code jobId} of the caller's team is RUNNING under a live lease
     * held by {@code workerId} in claim number {@code attempt} ({@code Job.attempts} when it was claimed).
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void requireCurrent(TeamScope scope, String jobId, String workerId, int attempt) {
        JobEntity job = jobs.findById(jobId, LockModeType.PESSIMISTIC_WRITE);
        if (job == null || !job.teamId.equals(scope.teamId())) {
            throw CalibraException.notFound("producing_job_id " + jobId + " is not a job of team " + scope.teamId());
        }
        String refusal = null;
        if (job.state != JobLifecycle.State.RUNNING) {
            refusal = "it is " + job.state;
        } else if (!workerId.equals(job.leaseOwner) || job.attempts != attempt) {
            refusal = "attempt " + job.attempts + " by " + job.leaseOwner + " holds it now";
        } else if (job.leaseExpiresAt == null || !job.leaseExpiresAt.isAfter(Times.now())) {
            refusal = "its lease expired at " + job.leaseExpiresAt;
        }
        if (refusal != null) {
            throw CalibraException.failedPrecondition("job " + jobId + " no longer runs as attempt " + attempt + " of "
                    + workerId + " (" + refusal + "); this attempt's output is not registered");
        }
    }
}
