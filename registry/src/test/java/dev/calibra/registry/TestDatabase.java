package dev.calibra.registry;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/**
 * Makes sure the test database exists on the real PostgreSQL before Quarkus starts; Flyway then
 * cleans and migrates it, so every test run starts from an empty schema.
 */
public class TestDatabase implements QuarkusTestResourceLifecycleManager {

    static final String URL = System.getenv().getOrDefault("CALIBRA_TEST_DB_URL", "jdbc:postgresql://127.0.0.1:5432/calibra_test");

    @Override
    public Map<String, String> start() {
        int slash = URL.lastIndexOf('/');
        String database = URL.substring(slash + 1).split("\\?")[0];
        String admin = URL.substring(0, slash + 1) + "postgres";
        try (Connection connection = DriverManager.getConnection(admin, "postgres", "");
                Statement statement = connection.createStatement();
                ResultSet exists = statement.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + database + "'")) {
            if (!exists.next()) {
                statement.execute("CREATE DATABASE " + database);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL is needed for the registry tests at " + admin
                    + " (start it with .ci/run or pg_ctlcluster): " + e.getMessage(), e);
        }
        return Map.of("quarkus.datasource.jdbc.url", URL);
    }

    @Override
    public void stop() {}
}
