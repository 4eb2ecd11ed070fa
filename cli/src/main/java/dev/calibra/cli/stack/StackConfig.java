package dev.calibra.cli.stack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Where the local stack lives and listens, from environment variables:
 * CALIBRA_ROOT (the checkout, with the built service jars), CALIBRA_STATE_DIR (default
 * $CALIBRA_ROOT/.calibra), CALIBRA_PORT_BASE (default 9100: PostgreSQL base+0, services base+1..4),
 * CALIBRA_DB_URL / CALIBRA_DB_USER / CALIBRA_DB_PASSWORD (an existing PostgreSQL; embedded when unset),
 * CALIBRA_ASSETS (default $CALIBRA_ROOT/assets, the repository's own).
 */
public record StackConfig(Path root, Path stateDir, String host, int portBase, String externalDbUrl, String dbUser,
        String dbPassword, Path assets) {

    /** The four services in start order, with their module folders. */
    public static final List<ServiceSpec> SERVICES = List.of(
            new ServiceSpec("registry", "registry", 1),
            new ServiceSpec("calibration", "calibration-service", 2),
            new ServiceSpec("compression", "compression-service", 3),
            new ServiceSpec("evaluation", "eval-service", 4));

    public record ServiceSpec(String name, String module, int portOffset) {}

    public static StackConfig fromEnvironment(Map<String, String> env) {
        Path root = Path.of(env.getOrDefault("CALIBRA_ROOT", ".")).toAbsolutePath().normalize();
        Path stateDir = Path.of(env.getOrDefault("CALIBRA_STATE_DIR", root.resolve(".calibra").toString())).toAbsolutePath().normalize();
        int portBase = Integer.parseInt(env.getOrDefault("CALIBRA_PORT_BASE", "9100"));
        Path assets = Path.of(env.getOrDefault("CALIBRA_ASSETS", root.resolve("assets").toString())).toAbsolutePath().normalize();
        return new StackConfig(root, stateDir, "127.0.0.1", portBase, env.getOrDefault("CALIBRA_DB_URL", ""),
                env.getOrDefault("CALIBRA_DB_USER", "postgres"), env.getOrDefault("CALIBRA_DB_PASSWORD", ""), assets);
    }

    public int portOf(ServiceSpec service) {
        return portBase + service.portOffset();
    }

    public int embeddedDbPort() {
        return portBase;
    }

    public Path jarOf(ServiceSpec service) {
        return root.resolve(service.module()).resolve("target/quarkus-app/quarkus-run.jar");
    }

    public Path stateFile() {
        return stateDir.resolve("stack.json");
    }

    public Path logDir() {
        return stateDir.resolve("logs");
    }

    public Path artifactsDir() {
        return stateDir.resolve("artifacts");
    }

    public Path databaseDir() {
        return stateDir.resolve("postgres");
    }

    public boolean embeddedDatabase() {
        return externalDbUrl.isEmpty();
    }

    public void requireBuilt() {
        for (ServiceSpec service : SERVICES) {
            if (!Files.isRegularFile(jarOf(service))) {
                throw new IllegalStateException("service " + service.name() + " is not built: " + jarOf(service)
                        + " is missing; run ./calibra (it builds) or mvn -B install -DskipTests");
            }
        }
    }
}
