package dev.calibra.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.calibra.proto.v1.GetModelRequest;
import dev.calibra.proto.v1.RegistryGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The local stack's life cycle with real processes: up, idempotent up, clients, down, restart. */
class StackIT {

    private static final List<String> SERVICES = List.of("registry", "calibration", "compression", "evaluation");

    @Test
    void stackUp_startsFourHealthyServiceProcesses_survivesRestart_andDownLeavesNothing() throws Exception {
        LocalStack stack = LocalStack.create("lifecycle", 9450, Map.of());
        stack.down();
        try {
            JsonNode first = stack.up();
            Set<Long> pids = new HashSet<>();
            for (String service : SERVICES) {
                assertEquals("127.0.0.1:" + (9451 + SERVICES.indexOf(service)), first.get("services").get(service).asText());
                long pid = first.get("pids").get(service).asLong();
                assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), service + " process is alive");
                pids.add(pid);
            }
            assertEquals(4, pids.size(), "four separate processes");
            long databasePid = first.get("database").get("pid").asLong();
            assertTrue(first.get("database").get("embedded").asBoolean());
            assertEquals(stack.stateDir().toString(), first.get("state_dir").asText());

            // Up again while up: nothing changes, same answer, exit 0.
            JsonNode second = stack.up();
            assertEquals(first.get("services"), second.get("services"));
            assertEquals(first.get("pids"), second.get("pids"));

            LocalStack.CliResult status = stack.cli("stack", "status");
            assertEquals(0, status.exitCode(), status.stderr());
            assertTrue(status.stdout().contains("registry 127.0.0.1:9451\n"), status.stdout());
            assertTrue(Files.isRegularFile(stack.stateDir().resolve("logs/registry.log")), "logs under the state dir");

            LocalStack.CliResult registered = stack.cli("models", "register", "--path",
                    LocalStack.assets().resolve("models/stories260K").toString(), "--name", "lifecycle-model", "--json");
            assertEquals(0, registered.exitCode(), registered.stderr());
            String modelId = registered.json().get("id").asText();

            pythonClientListsTheModel(stack.address("registry"), stack.apiKey(), modelId);

            // Records survive a restart of everything, PostgreSQL included.
            stack.down();
            assertGone(pids, databasePid);
            stack.up();
            RegistryGrpc.RegistryBlockingStub registry = RegistryGrpc.newBlockingStub(stack.channel("registry"));
            assertEquals("lifecycle-model", registry.getModel(GetModelRequest.newBuilder().setId(modelId).build()).getName());
        } finally {
            JsonNode down = stack.down().json();
            assertTrue(down.has("stopped"));
        }
        assertFalse(Files.exists(stack.stateDir().resolve("stack.json")), "stack down forgets the processes");
        assertEquals(3, stack.cli("stack", "status").exitCode(), "status says the stack is down");
    }

    @Test
    void cliAgainstNoStack_saysTheServiceIsUnreachable() {
        LocalStack nothing = LocalStack.create("nothing", 9470, Map.of());
        LocalStack.CliResult result = nothing.cli("models", "list", "--json");
        assertEquals(1, result.exitCode());
        assertEquals("UNAVAILABLE", result.json().get("error").get("code").asText());
        assertTrue(result.stderr().contains("is the stack up?"), result.stderr());
    }

    private static void assertGone(Set<Long> pids, long databasePid) throws InterruptedException {
        List<Long> all = new ArrayList<>(pids);
        all.add(databasePid);
        for (long pid : all) {
            for (int i = 0; i < 50 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false); i++) {
                Thread.sleep(100);
            }
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "process " + pid + " was left behind");
        }
    }

    /** A real Python gRPC client (Debian python3-grpcio) with stubs generated from proto/. */
    private static void pythonClientListsTheModel(String address, String apiKey, String modelId) throws Exception {
        Path python = Path.of("/usr/bin/python3");
        boolean available = Files.isExecutable(python) && new ProcessBuilder(python.toString(), "-c", "import grpc, grpc_tools")
                .start().waitFor() == 0;
        if (System.getenv("CI") != null && !available) {
            throw new AssertionError("CI must install python3-grpcio and python3-grpc-tools (.ci/run does)");
        }
        assumeTrue(available, "python3-grpcio / python3-grpc-tools not installed");
        Path root = LocalStack.repositoryRoot();
        Path stubs = Files.createTempDirectory("calibra-py");
        List<String> protoc = new ArrayList<>(List.of(python.toString(), "-m", "grpc_tools.protoc",
                "-I", root.resolve("proto/src/main/proto").toString(),
                "--python_out=" + stubs, "--grpc_python_out=" + stubs));
        try (var files = Files.list(root.resolve("proto/src/main/proto/calibra/v1"))) {
            files.map(Path::toString).filter(f -> f.endsWith(".proto")).sorted().forEach(protoc::add);
        }
        assertEquals(0, new ProcessBuilder(protoc).inheritIO().start().waitFor(), "protoc for Python");
        ProcessBuilder client = new ProcessBuilder(python.toString(), root.resolve("examples/python/list_models.py").toString(), address)
                .redirectErrorStream(true);
        client.environment().put("PYTHONPATH", stubs.toString());
        client.environment().put("CALIBRA_API_KEY", apiKey);
        Process process = client.start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), output);
        assertTrue(output.contains(modelId + "\tlifecycle-model\tLlamaForCausalLM"), output);
    }
}
