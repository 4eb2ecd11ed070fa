package dev.calibra.registry.observability;

import dev.calibra.proto.v1.JobType;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Gauges of the job queue per job type: calibra_jobs_pending{type} and calibra_jobs_running{type}.
 * One GROUP BY query every calibra.observability.poll-interval, cached; a scrape never touches the
 * database, so scraping many replicas often costs nothing. When PostgreSQL is away the last values stay
 * (readiness says the database is down).
 */
@ApplicationScoped
public class QueueDepth {

    private static final Logger LOG = Logger.getLogger(QueueDepth.class);
    static final String QUERY = "SELECT type, state, count(*) FROM job WHERE state IN ('PENDING', 'RUNNING') GROUP BY type, state";

    private final DataSource dataSource;
    private final Map<String, AtomicLong> pending = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> running = new ConcurrentHashMap<>();
    private final MeterRegistry registry;

    public QueueDepth(DataSource dataSource, MeterRegistry registry) {
        this.dataSource = dataSource;
        this.registry = registry;
        // Every known type from the start, so a dashboard shows 0 rather than "no data".
        for (JobType type : JobType.values()) {
            if (type != JobType.JOB_TYPE_UNSPECIFIED && type != JobType.UNRECOGNIZED) {
                gauge(pending, "calibra.jobs.pending", typeName(type));
                gauge(running, "calibra.jobs.running", typeName(type));
            }
        }
    }

    /** The registry's name of a job type ("COMPRESS"), as stored in job.type. */
    static String typeName(JobType type) {
        return type.name().substring("JOB_TYPE_".length());
    }

    private AtomicLong gauge(Map<String, AtomicLong> values, String name, String type) {
        return values.computeIfAbsent(type, t -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder(name, value, AtomicLong::get).tag("type", t)
                    .description(name.endsWith("pending") ? "Jobs waiting to be claimed" : "Jobs claimed by a worker")
                    .register(registry);
            return value;
        });
    }

    @Scheduled(every = "${calibra.observability.poll-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        try {
            update(count());
        } catch (SQLException | RuntimeException e) {
            LOG.debugf("queue depth not refreshed: %s", e.getMessage());
        }
    }

    /** (type, state) -> count of PENDING and RUNNING jobs. */
    Map<String, Map<String, Long>> count() throws SQLException {
        Map<String, Map<String, Long>> counts = new HashMap<>();
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(QUERY)) {
            while (rows.next()) {
                counts.computeIfAbsent(rows.getString(1), t -> new HashMap<>()).put(rows.getString(2), rows.getLong(3));
            }
        }
        return counts;
    }

    void update(Map<String, Map<String, Long>> counts) {
        for (String type : counts.keySet()) {
            gauge(pending, "calibra.jobs.pending", type);
            gauge(running, "calibra.jobs.running", type);
        }
        pending.forEach((type, value) -> value.set(counts.getOrDefault(type, Map.of()).getOrDefault("PENDING", 0L)));
        running.forEach((type, value) -> value.set(counts.getOrDefault(type, Map.of()).getOrDefault("RUNNING", 0L)));
    }
}
