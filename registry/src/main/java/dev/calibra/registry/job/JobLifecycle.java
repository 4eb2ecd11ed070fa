package dev.calibra.registry.job;

import dev.calibra.proto.v1.JobState;
import dev.calibra.registry.support.Times;
import dev.calibra.rpc.CalibraException;
import java.util.EnumSet;
import java.util.Set;

/**
 * A job's states and the transitions between them: the one owner of every change of a job's state. A change
 * made on a loaded row goes through {@link #apply}; one made in bulk by the database is a transition's
 * {@link Transition#sql() statement}, named after it (JobLifecycleTest reads each statement's SET and WHERE
 * against its transition).
 */
public final class JobLifecycle {

    public enum State {
        PENDING, RUNNING, SUCCEEDED, FAILED, CANCELLED;

        public boolean finished() {
            return this == SUCCEEDED || this == FAILED || this == CANCELLED;
        }

        public JobState toProto() {
            return JobState.valueOf("JOB_STATE_" + name());
        }

        /** A state as the job table stores it (native queries read it as text). */
        public static State stored(String name) {
            return valueOf(name);
        }

        public static State fromProto(JobState state) {
            if (state == JobState.JOB_STATE_UNSPECIFIED || state == JobState.UNRECOGNIZED) {
                throw CalibraException.invalidArgument("state " + state + " is not a job state");
            }
            return valueOf(state.name().substring("JOB_STATE_".length()));
        }
    }

    /** A pending job is runnable once everything it depends on succeeded. */
    static final String RUNNABLE = """
            j.state = 'PENDING' AND j.type IN (:types)
            AND NOT EXISTS (SELECT 1 FROM job_dependency d JOIN job p ON p.id = d.depends_on
                            WHERE d.job_id = j.id AND p.state <> 'SUCCEEDED')""";

    /** The team's oldest runnable job; SKIP LOCKED lets concurrent claimers pass each other. */
    private static final String CLAIM = """
            WITH candidate AS (
                SELECT j.id FROM job j
                WHERE j.team_id = :team AND %s
                ORDER BY j.created_at, j.id
                LIMIT 1
                FOR UPDATE OF j SKIP LOCKED)
            UPDATE job SET state = 'RUNNING', lease_owner = :worker,
                           lease_expires_at = now() + make_interval(secs => :lease),
                           attempts = attempts + 1, started_at = now(), cancel_requested = FALSE,
                           version = version + 1
            FROM candidate WHERE job.id = candidate.id AND job.state = 'PENDING'
            RETURNING job.id""".formatted(RUNNABLE);

    /** An expired lease with attempts left: back to the queue. */
    private static final String EXPIRE_LEASE_REQUEUE = """
            UPDATE job SET state = 'PENDING',
                error = 'the lease of worker ' || lease_owner || ' expired on attempt ' || attempts || '; queued again',
                lease_owner = NULL, lease_expires_at = NULL, version = version + 1
            WHERE state = 'RUNNING' AND lease_expires_at < now() AND attempts < max_attempts""";

    /** An expired lease on the last attempt: failed for good. */
    private static final String EXPIRE_LEASE_FAIL = """
            UPDATE job SET state = 'FAILED',
                error = 'the lease of worker ' || lease_owner || ' expired on attempt ' || attempts || ' of '
                        || max_attempts || '; no attempts left',
                finished_at = now(), lease_expires_at = NULL, version = version + 1
            WHERE state = 'RUNNING' AND lease_expires_at < now() AND attempts >= max_attempts""";

    /** A hard limit on one attempt's run time, whatever the heartbeats say. */
    private static final String FAIL_OVERDUE = """
            UPDATE job SET state = 'FAILED', finished_at = now(), cancel_requested = TRUE, version = version + 1,
                error = 'the job ran longer than its max_run_seconds of ' || max_run_seconds || ' s and was stopped'
            WHERE state = 'RUNNING' AND max_run_seconds > 0
              AND started_at + make_interval(secs => max_run_seconds) < now()""";

    /** A job cannot run once something it depends on failed or was cancelled. */
    private static final String FAIL_ORPHAN = """
            UPDATE job SET state = 'FAILED', finished_at = now(), version = job.version + 1,
                error = 'dependency ' || p.id || ' ended ' || p.state || ': ' || p.error
            FROM job_dependency d JOIN job p ON p.id = d.depends_on
            WHERE d.job_id = job.id AND job.state = 'PENDING' AND p.state IN ('FAILED', 'CANCELLED')""";

    /** Every allowed change of state; anything else is refused. */
    public enum Transition {
        SUBMIT(EnumSet.noneOf(State.class), State.PENDING, null),
        CLAIM(EnumSet.of(State.PENDING), State.RUNNING, JobLifecycle.CLAIM),
        COMPLETE(EnumSet.of(State.RUNNING), State.SUCCEEDED, null),
        FAIL(EnumSet.of(State.RUNNING), State.FAILED, null),
        RETRY(EnumSet.of(State.RUNNING), State.PENDING, null),
        CANCEL(EnumSet.of(State.PENDING, State.RUNNING), State.CANCELLED, null),
        EXPIRE_LEASE_REQUEUE(EnumSet.of(State.RUNNING), State.PENDING, JobLifecycle.EXPIRE_LEASE_REQUEUE),
        EXPIRE_LEASE_FAIL(EnumSet.of(State.RUNNING), State.FAILED, JobLifecycle.EXPIRE_LEASE_FAIL),
        FAIL_OVERDUE(EnumSet.of(State.RUNNING), State.FAILED, JobLifecycle.FAIL_OVERDUE),
        FAIL_ORPHAN(EnumSet.of(State.PENDING), State.FAILED, JobLifecycle.FAIL_ORPHAN);

        private final Set<State> from;
        private final State to;
        private final String sql;

        Transition(Set<State> from, State to, String sql) {
            this.from = from;
            this.to = to;
            this.sql = sql;
        }

        /** The states it leaves; empty for SUBMIT, which makes a job. */
        public Set<State> from() {
            return from;
        }

        public State to() {
            return to;
        }

        /** The statement the database runs for it, or null where it is applied to a loaded row. */
        public String sql() {
            return sql;
        }
    }

    private JobLifecycle() {}

    /**
     * Moves a loaded (and locked) job along {@code transition}: its state, its error (the reason; "" for a
     * success), its finish time when the new state is final, and its version, which watchers follow.
     *
     * @throws IllegalStateException when the job's state is not one the transition leaves
     */
    public static void apply(JobEntity job, Transition transition, String reason) {
        if (transition.sql() != null) {
            throw new IllegalStateException(transition + " is run by the database (" + transition.name() + "'s statement)");
        }
        boolean allowed = transition.from().isEmpty() ? job.state == null : transition.from().contains(job.state);
        if (!allowed) {
            throw new IllegalStateException("job " + job.id + " is " + job.state + "; " + transition + " leaves only "
                    + transition.from());
        }
        job.state = transition.to();
        job.error = reason;
        if (transition.to().finished()) {
            job.finishedAt = Times.now();
        }
        if (transition == Transition.RETRY) {
            job.leaseOwner = null;
        }
        if (transition != Transition.SUBMIT) {
            job.leaseExpiresAt = null;
            job.version++;
        }
    }
}
