package dev.calibra.registry.audit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Group commit for audit rows: calls closing at the same time share one INSERT batch and one commit,
 * instead of a transaction each. A caller still waits until its row has committed, so a client holding
 * its answer can find the row. One writer thread; a batch that fails is written again row by row, so
 * one bad row loses only itself.
 */
@ApplicationScoped
public class AuditWriter {

    private static final Logger LOG = Logger.getLogger(AuditWriter.class);
    private static final int MAX_BATCH = 512;
    private static final long WAIT_SECONDS = 30;
    private static final String INSERT = """
            INSERT INTO audit_log (at, team_id, key_id, role, method, target, outcome, detail)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)""";

    /** One row to write. */
    public record Row(Instant at, String teamId, String keyId, String role, String method, String target, String outcome,
            String detail) {}

    private record Pending(Row row, CompletableFuture<Void> written) {}

    private final DataSource dataSource;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean stopping;
    /** Set by the writer after its last pass over the queue. */
    private volatile boolean closed;

    public AuditWriter(DataSource dataSource) {
        this.dataSource = dataSource;
        this.writer = new Thread(this::run, "audit-writer");
        writer.setDaemon(true);
        writer.start();
    }

    /** Writes the row with whatever other rows are waiting; returns once it has committed, or throws why not. */
    public void write(Row row) {
        if (stopping) {
            throw new IllegalStateException("the registry is stopping");
        }
        CompletableFuture<Void> written = new CompletableFuture<>();
        Pending pending = new Pending(row, written);
        queue.add(pending);
        // The writer may have made its last pass between the check above and the add: then nobody writes this row.
        if (closed && queue.remove(pending)) {
            throw new IllegalStateException("the registry is stopping");
        }
        try {
            written.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the audit row was written", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the audit row was not written within " + WAIT_SECONDS + " s", e);
        }
    }

    @PreDestroy
    void stop() throws InterruptedException {
        stopping = true;
        writer.interrupt();
        writer.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
    }

    private void run() {
        List<Pending> batch = new ArrayList<>();
        while (!stopping || !queue.isEmpty()) {
            try {
                Pending first = stopping ? queue.poll() : queue.take();
                if (first == null) {
                    break;
                }
                batch.add(first);
            } catch (InterruptedException e) {
                continue; // stopping: drain what is queued
            }
            queue.drainTo(batch, MAX_BATCH - 1);
            writeAll(batch);
            batch.clear();
        }
        // Rows added from here on are taken back by their callers (see write); those added before are written now.
        closed = true;
        queue.drainTo(batch);
        if (!batch.isEmpty()) {
            writeAll(batch);
        }
    }

    private void writeAll(List<Pending> batch) {
        try {
            insert(batch);
            batch.forEach(pending -> pending.written().complete(null));
        } catch (SQLException | RuntimeException batchFailed) {
            if (batch.size() == 1) {
                batch.get(0).written().completeExceptionally(batchFailed);
                return;
            }
            LOG.warnf("an audit batch of %d rows failed (%s); writing them one by one", batch.size(), batchFailed.getMessage());
            for (Pending pending : batch) {
                try {
                    insert(List.of(pending));
                    pending.written().complete(null);
                } catch (SQLException | RuntimeException failed) {
                    pending.written().completeExceptionally(failed);
                }
            }
        }
    }

    private void insert(List<Pending> batch) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
                for (Pending pending : batch) {
                    Row row = pending.row();
                    insert.setObject(1, OffsetDateTime.ofInstant(row.at(), ZoneOffset.UTC));
                    insert.setString(2, row.teamId());
                    insert.setString(3, row.keyId());
                    insert.setString(4, row.role());
                    insert.setString(5, row.method());
                    insert.setString(6, row.target());
                    insert.setString(7, row.outcome());
                    insert.setString(8, row.detail());
                    insert.addBatch();
                }
                insert.executeBatch();
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }
}
