package dev.calibra.registry.job;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * A queued unit of work. State changes go through {@link JobQueue}; the claim and the lease reaper
 * are single SQL statements so that concurrent workers never see a job twice.
 */
@Entity
@Table(name = "job")
public class JobEntity extends PanacheEntityBase {
    @Id public String id;
    public String teamId;
    /** CALIBRATE, COMPRESS or EVALUATE. */
    public String type;
    /** PENDING, RUNNING, SUCCEEDED, FAILED or CANCELLED. */
    @Enumerated(EnumType.STRING)
    public JobLifecycle.State state;
    /** JSON of calibra.v1.JobSpec. */
    public String spec;
    public String requestId;
    public int attempts;
    public int maxAttempts;
    public String leaseOwner;
    public Instant leaseExpiresAt;
    public long maxRunSeconds;
    /** JSON of calibra.v1.Progress. */
    public String progress;
    /** JSON array of ids. */
    public String resultIds;
    public String error;
    public String studyId;
    public String checkpointUri;
    public boolean cancelRequested;
    /** W3C traceparent of the submitting call; empty when it sent none. */
    public String traceParent;
    public Instant createdAt;
    public Instant startedAt;
    public Instant finishedAt;
    /** Bumped on every change; WatchJob streams when it moves. */
    public long version;

    public boolean isFinished() {
        return state.finished();
    }
}
