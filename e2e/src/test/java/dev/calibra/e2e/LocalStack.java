package dev.calibra.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.calibra.rpc.Channels;
import dev.calibra.rpc.auth.CallerCredentials;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A real local stack for end-to-end tests: ./calibra stack up with its own state directory and port
 * range, so it never touches a developer's stack. {@link #shared()} is started once per test JVM and
 * stopped when the JVM exits; tests that stop or restart services make their own with {@link #create}.
 * Every call runs the launcher as the README says, with no test-only switch: it builds only when the
 * build is missing or older than a source.
 */
public final class LocalStack {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static LocalStack shared;

    private final Path root;
    private final Path stateDir;
    private final int portBase;
    private final Map<String, String> extraEnv;
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private JsonNode description;

    private LocalStack(Path root, Path stateDir, int portBase, Map<String, String> extraEnv) {
        this.root = root;
        this.stateDir = stateDir;
        this.portBase = portBase;
        this.extraEnv = Map.copyOf(extraEnv);
    }

    /** The stack shared by the end-to-end tests of this JVM (ports 9400-9404). */
    public static synchronized LocalStack shared() {
        if (shared == null) {
            LocalStack stack = create("shared", 9400, Map.of());
            stack.up();
            Runtime.getRuntime().addShutdownHook(new Thread(stack::downQuietly));
            shared = stack;
        }
        return shared;
    }

    /** A separate stack under target/stacks/NAME on ports portBase..portBase+4. */
    public static LocalStack create(String name, int portBase, Map<String, String> extraEnv) {
        Path stateDir = repositoryRoot().resolve("e2e/target/stacks").resolve(name);
        return new LocalStack(repositoryRoot(), stateDir, portBase, extraEnv);
    }

    /**
     * As {@link #create}, on a state folder emptied first (a stack left running there is stopped): a database of
     * its own, whatever an earlier run left.
     */
    public static LocalStack fresh(String name, int portBase, Map<String, String> extraEnv) throws IOException {
        LocalStack stack = create(name, portBase, extraEnv);
        stack.down();
        deleteTree(stack.stateDir());
        return stack;
    }

    /** Deletes a folder and everything in it; absent is fine. */
    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> tree = Files.walk(root)) {
            for (Path path : tree.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    /** A stack of another checkout (a fresh clone), with its default state directory ROOT/.calibra. */
    public static LocalStack inCheckout(Path root, int portBase, Map<String, String> extraEnv) {
        return new LocalStack(root, root.resolve(".calibra"), portBase, extraEnv);
    }

    public static Path repositoryRoot() {
        return Path.of(System.getProperty("calibra.root", "..")).toAbsolutePath().normalize();
    }

    /** The repository's assets/ (the demo model, corpora, task files). */
    public static Path assets() {
        return repositoryRoot().resolve("assets");
    }

    public JsonNode up() {
        CliResult result = cli("stack", "up", "--json");
        if (result.exitCode() != 0) {
            throw new IllegalStateException("stack up failed (" + result.exitCode() + "):\n" + result.stderr());
        }
        description = result.json();
        return description;
    }

    public CliResult down() {
        channels.values().forEach(Channels::close);
        channels.clear();
        return cli("stack", "down", "--json");
    }

    private void downQuietly() {
        try {
            down();
        } catch (RuntimeException ignored) {
            // best effort at JVM exit
        }
    }

    public Path stateDir() {
        return stateDir;
    }

    public JsonNode description() {
        return description;
    }

    public String address(String service) {
        return description.get("services").get(service).asText();
    }

    public ManagedChannel channel(String service) {
        return channels.computeIfAbsent(service, name -> Channels.open(address(name), new CallerCredentials(apiKey())));
    }

    /** A new channel to a service calling with another key (a team's); the caller shuts it down. */
    public ManagedChannel channel(String service, String secret) {
        return Channels.open(address(service), new CallerCredentials(secret));
    }

    /** Environment of every CLI call: this stack's state and ports; assets are the checkout's own (the default). */
    public Map<String, String> env() {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("CALIBRA_STATE_DIR", stateDir.toString());
        env.put("CALIBRA_PORT_BASE", Integer.toString(portBase));
        for (String inherited : new String[] {"CALIBRA_SKIP_BUILD", "CALIBRA_ASSETS", "CALIBRA_API_KEY", "CALIBRA_REGISTRY",
                "CALIBRA_CALIBRATION", "CALIBRA_COMPRESSION", "CALIBRA_EVALUATION", "CALIBRA_DB_URL", "HF_ENDPOINT", "HF_TOKEN"}) {
            env.remove(inherited);
        }
        env.putAll(extraEnv);
        return env;
    }

    public Path root() {
        return root;
    }

    /** Runs ./calibra with the arguments; waits at most 15 minutes. */
    public CliResult cli(String... args) {
        List<String> command = new ArrayList<>();
        command.add(root.resolve("calibra").toString());
        command.addAll(List.of(args));
        return run(command, Map.of());
    }

    /** Runs a command in the checkout with this stack's environment plus {@code moreEnv}; waits at most 15 minutes. */
    public CliResult run(List<String> command, Map<String, String> moreEnv) {
        try {
            Path out = Files.createTempFile("calibra-out", ".txt");
            Path err = Files.createTempFile("calibra-err", ".txt");
            ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().clear();
            builder.environment().putAll(env());
            builder.environment().putAll(moreEnv);
            Process process = builder.start();
            if (!process.waitFor(15, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish in 15 minutes");
            }
            CliResult result = new CliResult(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            return result;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ---- Faults: single processes of a running stack (pids from stack.json in the state directory) ----

    /** The pid `stack up` recorded for a service ("registry", "calibration", ...) or for "postgres". */
    public long pid(String service) {
        try {
            JsonNode state = JSON.readTree(stateDir.resolve("stack.json").toFile());
            JsonNode node = "postgres".equals(service) ? state.get("database") : state.get("services").get(service);
            if (node == null || !node.has("pid")) {
                throw new IllegalStateException("stack.json under " + stateDir + " records no pid for " + service);
            }
            return node.get("pid").asLong();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + stateDir.resolve("stack.json"), e);
        }
    }

    /** kill -9 of one service process; returns once it is gone. The next {@link #up()} starts a new one. */
    public void kill(String service) {
        ProcessHandle process = ProcessHandle.of(pid(service))
                .orElseThrow(() -> new IllegalStateException(service + " (pid " + pid(service) + ") is not running"));
        process.destroyForcibly();
        awaitExit(process, service);
    }

    /**
     * Stops the embedded PostgreSQL cleanly (SIGTERM to the process that holds it, which runs pg_ctl stop)
     * while the services keep running; the next {@link #up()} starts it again on the same port and data.
     */
    public void stopDatabase() {
        ProcessHandle holder = ProcessHandle.of(pid("postgres"))
                .orElseThrow(() -> new IllegalStateException("embedded PostgreSQL (pid " + pid("postgres") + ") is not running"));
        holder.destroy();
        awaitExit(holder, "embedded PostgreSQL");
    }

    private static void awaitExit(ProcessHandle process, String what) {
        try {
            process.onExit().get(60, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException(what + " (pid " + process.pid() + ") did not exit within 60 s");
        } catch (Exception e) {
            throw new IllegalStateException("waiting for " + what + " to exit", e);
        }
    }

    /** The stack's admin API key (keys/admin.key under the state directory, written by `stack up`), or "". */
    public String apiKey() {
        Path file = stateDir.resolve("keys/admin.key");
        try {
            return Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8).trim() : "";
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the stack's API key " + file, e);
        }
    }

    /** What one CLI call printed. */
    public record CliResult(int exitCode, String stdout, String stderr) {
        public JsonNode json() {
            try {
                return JSON.readTree(stdout);
            } catch (IOException e) {
                throw new IllegalStateException("stdout is not one JSON object:\n" + stdout + "\nstderr:\n" + stderr, e);
            }
        }
    }
}
