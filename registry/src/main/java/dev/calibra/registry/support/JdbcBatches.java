package dev.calibra.registry.support;

import jakarta.persistence.EntityManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collection;
import org.hibernate.Session;

/** Many rows of one statement on the transaction's connection, sent in JDBC batches (a study's grid has thousands). */
public final class JdbcBatches {

    public static final int SIZE = 500;

    private JdbcBatches() {}

    /** Sets one row's parameters on the statement. */
    @FunctionalInterface
    public interface Binder<T> {
        void bind(PreparedStatement statement, T row) throws SQLException;
    }

    public static <T> void execute(EntityManager entityManager, String sql, Collection<T> rows, Binder<T> binder) {
        if (rows.isEmpty()) {
            return;
        }
        entityManager.unwrap(Session.class).doWork(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                int pending = 0;
                for (T row : rows) {
                    binder.bind(statement, row);
                    statement.addBatch();
                    if (++pending == SIZE) {
                        statement.executeBatch();
                        pending = 0;
                    }
                }
                if (pending > 0) {
                    statement.executeBatch();
                }
            }
        });
    }
}
