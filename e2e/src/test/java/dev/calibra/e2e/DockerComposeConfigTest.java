package dev.calibra.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** docker-compose.yml as Debian's docker-compose resolves it: every service built, configured and health-checked. */
class DockerComposeConfigTest {

    @Test
    @SuppressWarnings("unchecked")
    void composeFile_resolves_andEveryServiceIsBuiltFromItsModuleWithHealthCheck() throws Exception {
        Path root = LocalStack.repositoryRoot();
        boolean available = Files.isExecutable(Path.of("/usr/bin/docker-compose"));
        if (System.getenv("CI") != null && !available) {
            throw new AssertionError("CI must install docker-compose (.ci/run does)");
        }
        assumeTrue(available, "docker-compose is not installed");
        ProcessBuilder config = new ProcessBuilder("/usr/bin/docker-compose", "-f", root.resolve("docker-compose.yml").toString(), "config")
                .directory(root.toFile()).redirectErrorStream(true);
        // Without the two keys compose must refuse to start (checked below); with them it resolves.
        config.environment().remove("CALIBRA_ADMIN_KEY");
        config.environment().remove("CALIBRA_SERVICE_KEY");
        Process refused = config.start();
        String refusal = new String(refused.getInputStream().readAllBytes());
        assertTrue(refused.waitFor(60, TimeUnit.SECONDS));
        assertTrue(refused.exitValue() != 0 && refusal.contains("CALIBRA_"), refusal);
        config.environment().put("CALIBRA_ADMIN_KEY", "cal_admin-key-for-the-config-test");
        config.environment().put("CALIBRA_SERVICE_KEY", "cal_service-key-for-the-config-test");
        Process process = config.start();
        String resolved = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), resolved);

        Map<String, Object> compose = new Yaml().load(resolved);
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");
        assertEquals(Set.of("postgres", "registry", "calibration", "compression", "evaluation"), services.keySet());
        Map<String, String> modules = Map.of("registry", "registry", "calibration", "calibration-service",
                "compression", "compression-service", "evaluation", "eval-service");
        Map<String, String> ports = Map.of("registry", "9101", "calibration", "9102", "compression", "9103", "evaluation", "9104");
        for (var entry : modules.entrySet()) {
            Map<String, Object> service = services.get(entry.getKey());
            Map<String, Object> build = (Map<String, Object>) service.get("build");
            Path context = Path.of((String) build.get("context"));
            assertEquals(root.resolve(entry.getValue()), context, entry.getKey() + " builds from its module");
            assertTrue(Files.isRegularFile(context.resolve((String) build.get("dockerfile"))), entry.getKey() + " Dockerfile.jvm");
            Map<String, Object> env = (Map<String, Object>) service.get("environment");
            assertEquals(ports.get(entry.getKey()), String.valueOf(env.get("CALIBRA_PORT")));
            assertEquals("registry:9101", env.get("CALIBRA_REGISTRY"));
            assertEquals("cal_service-key-for-the-config-test", env.get("CALIBRA_SERVICE_KEY"));
            assertTrue(service.containsKey("healthcheck"), entry.getKey() + " has a health check");
            assertTrue(((List<String>) service.get("volumes")).stream().anyMatch(v -> v.startsWith("artifacts:")),
                    entry.getKey() + " mounts the named artifacts volume");
            assertTrue(!service.containsKey("command"), "configuration through environment variables only");
        }
        assertEquals("jdbc:postgresql://postgres:5432/calibra",
                ((Map<String, Object>) services.get("registry").get("environment")).get("CALIBRA_DB_URL"));
        assertTrue(((Map<String, Object>) compose.get("volumes")).containsKey("artifacts"));
    }
}
