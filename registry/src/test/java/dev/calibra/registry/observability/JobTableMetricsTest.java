package dev.calibra.registry.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.grpc.runtime.health.GrpcHealthStorage;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The queue-depth gauges, job timers and database health against the real PostgreSQL and the real schema
 * (Flyway migrations), in a database of their own so they never touch the registry tests' calibra_test.
 */
class JobTableMetricsTest {

    static final String URL = System.getenv().getOrDefault("CALIBRA_OBSERVABILITY_TEST_DB_URL",
            "jdbc:postgresql://127.0.0.1:5432/calibra_observability_test");

    static PGSimpleDataSource dataSource;

    @BeforeAll
    static void migrate() throws SQLException {
        int slash = URL.lastIndexOf('/');
        String database = URL.substring(slash + 1);
        try (Connection admin = DriverManager.getConnection(URL.substring(0, slash + 1) + "postgres", "postgres", "");
                Statement statement = admin.createStatement();
                ResultSet exists = statement.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + database + "'")) {
            if (!exists.next()) {
                statement.execute("CREATE DATABASE " + database);
            }
        }
        dataSource = new PGSimpleDataSource();
        dataSource.setUrl(URL);
        dataSource.setUser("postgres");
        Flyway flyway = Flyway.configure().dataSource(dataSource).cleanDisabled(false).load();
        flyway.clean();
        flyway.migrate();
    }

    @BeforeEach
    void emptyQueue() throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("DELETE FROM job");
        }
    }

    @Test
    void queueDepth_countsPendingAndRunningPerType() throws SQLException {
        Instant now = Instant.now();
        insert("job-1", "COMPRESS", "PENDING", now, null, null);
        insert("job-2", "COMPRESS", "PENDING", now, null, null);
        insert("job-3", "EVALUATE", "RUNNING", now, now, null);
        insert("job-4", "EVALUATE", "SUCCEEDED", now, now, now);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        QueueDepth depth = new QueueDepth(dataSource, registry);

        depth.update(depth.count());

        assertEquals(2.0, registry.get("calibra.jobs.pending").tag("type", "COMPRESS").gauge().value());
        assertEquals(0.0, registry.get("calibra.jobs.pending").tag("type", "EVALUATE").gauge().value());
        assertEquals(1.0, registry.get("calibra.jobs.running").tag("type", "EVALUATE").gauge().value());
        assertEquals(0.0, registry.get("calibra.jobs.pending").tag("type", "CALIBRATE").gauge().value());
    }

    @Test
    void queueDepth_dropsToZeroWhenTheQueueEmpties() throws SQLException {
        insert("job-1", "CALIBRATE", "PENDING", Instant.now(), null, null);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        QueueDepth depth = new QueueDepth(dataSource, registry);
        depth.update(depth.count());
        assertEquals(1.0, registry.get("calibra.jobs.pending").tag("type", "CALIBRATE").gauge().value());

        emptyQueue();
        depth.update(depth.count());

        assertEquals(0.0, registry.get("calibra.jobs.pending").tag("type", "CALIBRATE").gauge().value());
    }

    @Test
    void jobDurations_recordsEachFinishedJobOncePerTypeAndOutcome() throws SQLException {
        Instant start = Instant.now().minusSeconds(600);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        JobDurations durations = new JobDurations(dataSource, registry);
        durations.resetWatermark(start);
        // Submitted at +0 s, started at +10 s, finished at +40 s: 30 s run, 40 s turnaround.
        insert("job-1", "COMPRESS", "SUCCEEDED", start, start.plusSeconds(10), start.plusSeconds(40));
        insert("job-2", "COMPRESS", "FAILED", start, start.plusSeconds(10), start.plusSeconds(20));
        insert("job-3", "EVALUATE", "CANCELLED", start, null, start.plusSeconds(5));  // never ran
        insert("job-4", "EVALUATE", "RUNNING", start, start.plusSeconds(1), null);

        assertEquals(3, durations.record(start.plusSeconds(60)));
        assertEquals(0, durations.record(start.plusSeconds(60)), "a second poll must not count the same jobs again");

        Timer succeeded = registry.get("calibra.job.duration").tags("type", "COMPRESS", "outcome", "succeeded").timer();
        assertEquals(1, succeeded.count());
        assertEquals(30.0, succeeded.totalTime(TimeUnit.SECONDS), 1e-3);
        assertEquals(40.0, registry.get("calibra.job.turnaround").tags("type", "COMPRESS", "outcome", "succeeded").timer()
                .totalTime(TimeUnit.SECONDS), 1e-3);
        assertEquals(1, registry.get("calibra.job.duration").tags("type", "COMPRESS", "outcome", "failed").timer().count());
        assertNull(registry.find("calibra.job.duration").tags("type", "EVALUATE").timer(), "a job that never ran has no run time");
        assertEquals(1, registry.get("calibra.job.turnaround").tags("type", "EVALUATE", "outcome", "cancelled").timer().count());
    }

    @Test
    void jobDurations_leavesJobsFinishedAfterTheBoundForTheNextPoll() throws SQLException {
        Instant start = Instant.now().minusSeconds(600);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        JobDurations durations = new JobDurations(dataSource, registry);
        durations.resetWatermark(start);
        insert("job-1", "CALIBRATE", "SUCCEEDED", start, start.plusSeconds(1), start.plusSeconds(100));

        assertEquals(0, durations.record(start.plusSeconds(50)));
        assertEquals(1, durations.record(start.plusSeconds(150)));
    }

    @Test
    void databaseHealth_turnsGrpcHealthNotServingWhileTheDatabaseIsAway() {
        GrpcHealthStorage storage = new GrpcHealthStorage();
        PGSimpleDataSource away = new PGSimpleDataSource();
        away.setUrl("jdbc:postgresql://127.0.0.1:1/nothing");  // nothing listens on port 1
        away.setUser("postgres");
        away.setConnectTimeout(2);

        DatabaseHealth down = new DatabaseHealth(away, storage);
        down.check();
        assertNotNull(down.problem());
        assertEquals(ServingStatus.NOT_SERVING, storage.statusForService(GrpcHealthStorage.DEFAULT_SERVICE_NAME).getStatus());

        DatabaseHealth up = new DatabaseHealth(dataSource, storage);
        up.check();
        assertTrue(up.reachable());
        assertEquals(ServingStatus.SERVING, storage.statusForService(GrpcHealthStorage.DEFAULT_SERVICE_NAME).getStatus());
    }

    private static void insert(String id, String type, String state, Instant created, Instant started, Instant finished)
            throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement("INSERT INTO job (id, team_id, type, state, spec,"
                        + " max_attempts, created_at, started_at, finished_at) VALUES (?, 'team-default', ?, ?, '{}', 3, ?, ?, ?)")) {
            statement.setString(1, id);
            statement.setString(2, type);
            statement.setString(3, state);
            statement.setTimestamp(4, Timestamp.from(created));
            statement.setTimestamp(5, started == null ? null : Timestamp.from(started));
            statement.setTimestamp(6, finished == null ? null : Timestamp.from(finished));
            statement.executeUpdate();
        }
    }
}
