package dev.calibra.registry.observability;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Timers of finished jobs per type and outcome, read from the job table (the queue code stays free of
 * metrics): calibra_job_duration_seconds{type,outcome} is the last attempt's run time (started_at to
 * finished_at), calibra_job_turnaround_seconds{type,outcome} the whole wait (created_at to finished_at,
 * queueing and retries included). Every poll reads the jobs that finished since the previous one, up to a
 * few seconds ago so that transactions still committing are not skipped. Jobs that finished before this
 * process started are not counted. With several registry replicas each counts every job: query one.
 */
@ApplicationScoped
public class JobDurations {

    private static final Logger LOG = Logger.getLogger(JobDurations.class);
    static final String QUERY = "SELECT type, state, created_at, started_at, finished_at FROM job"
            + " WHERE finished_at > ? AND finished_at <= ? ORDER BY finished_at";
    /** How long a finished job may take to become visible (commit after its finished_at was set). */
    static final Duration COMMIT_LAG = Duration.ofSeconds(3);

    private final DataSource dataSource;
    private final MeterRegistry registry;
    private Instant watermark = Instant.now();

    public JobDurations(DataSource dataSource, MeterRegistry registry) {
        this.dataSource = dataSource;
        this.registry = registry;
    }

    @Scheduled(every = "${calibra.observability.poll-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void poll() {
        try {
            record(Instant.now().minus(COMMIT_LAG));
        } catch (SQLException | RuntimeException e) {
            LOG.debugf("job durations not read: %s", e.getMessage());
        }
    }

    /** Records the jobs that finished in (watermark, upTo] and moves the watermark; returns how many. */
    synchronized int record(Instant upTo) throws SQLException {
        if (!upTo.isAfter(watermark)) {
            return 0;
        }
        int recorded = 0;
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(QUERY)) {
            statement.setTimestamp(1, Timestamp.from(watermark));
            statement.setTimestamp(2, Timestamp.from(upTo));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    String type = rows.getString(1);
                    String outcome = rows.getString(2).toLowerCase(Locale.ROOT);
                    Instant created = rows.getTimestamp(3).toInstant();
                    Timestamp started = rows.getTimestamp(4);
                    Instant finished = rows.getTimestamp(5).toInstant();
                    if (started != null) {  // a job cancelled while pending never ran
                        timer("calibra.job.duration", "Run time of a job's last attempt", type, outcome)
                                .record(nonNegative(Duration.between(started.toInstant(), finished)));
                    }
                    timer("calibra.job.turnaround", "Submission to finish, queueing and retries included", type, outcome)
                            .record(nonNegative(Duration.between(created, finished)));
                    recorded++;
                }
            }
        }
        watermark = upTo;
        return recorded;
    }

    private Timer timer(String name, String description, String type, String outcome) {
        return Timer.builder(name).description(description).tag("type", type).tag("outcome", outcome).register(registry);
    }

    private static Duration nonNegative(Duration duration) {
        return duration.isNegative() ? Duration.ZERO : duration;
    }

    /** For tests: start counting from this instant. */
    synchronized void resetWatermark(Instant from) {
        watermark = from;
    }
}
