package dev.calibra.registry.observability;

import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.quarkus.grpc.runtime.health.GrpcHealthStorage;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Makes the gRPC health service (grpc.health.v1, what gRPC clients and Kubernetes gRPC probes ask) say
 * NOT_SERVING while PostgreSQL is unreachable and SERVING again when it is back: the registry can do
 * nothing useful without its database. /q/health/ready already reflects the database through the
 * datasource health check; this mirrors it for gRPC, checked every calibra.observability.health-interval.
 */
@ApplicationScoped
public class DatabaseHealth {

    private static final Logger LOG = Logger.getLogger(DatabaseHealth.class);
    private static final int VALID_TIMEOUT_SECONDS = 2;

    private final DataSource dataSource;
    private final GrpcHealthStorage health;
    private volatile boolean reachable = true;
    private volatile boolean stopping;

    public DatabaseHealth(DataSource dataSource, GrpcHealthStorage health) {
        this.dataSource = dataSource;
        this.health = health;
    }

    @Scheduled(every = "${calibra.observability.health-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void check() {
        if (stopping) {
            return;  // Quarkus has set NOT_SERVING for the shutdown; keep it
        }
        String problem = problem();
        boolean now = problem == null;
        if (now != reachable) {
            if (now) {
                LOG.info("PostgreSQL is reachable again: gRPC health SERVING");
            } else {
                LOG.warnf("PostgreSQL is unreachable (%s): gRPC health NOT_SERVING", problem);
            }
        }
        reachable = now;
        ServingStatus status = now ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
        // The overall status ("") and every served service's own name.
        for (String service : List.copyOf(health.getStatuses().keySet())) {
            health.setStatus(service, status);
        }
        health.setStatus(GrpcHealthStorage.DEFAULT_SERVICE_NAME, status);
    }

    void stop(@Observes ShutdownEvent event) {
        stopping = true;
    }

    /** Why the database cannot be used, or null when it answers. */
    String problem() {
        try (Connection connection = dataSource.getConnection()) {
            return connection.isValid(VALID_TIMEOUT_SECONDS) ? null : "connection not valid";
        } catch (SQLException | RuntimeException e) {
            return e.getMessage();
        }
    }

    public boolean reachable() {
        return reachable;
    }
}
