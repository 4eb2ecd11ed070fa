package dev.calibra.cli.stack;

import dev.calibra.cli.stack.StackConfig.ServiceSpec;
import dev.calibra.rpc.AllowedRoots;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The local stack: PostgreSQL (external or embedded) and the four services as separate JVM processes
 * on loopback ports. `up` is idempotent: what already runs and answers its health check is kept.
 */
public final class Stack {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_GRACE = Duration.ofSeconds(15);
    private static final String DB_MARKER = EmbeddedDatabase.class.getName();
    private static final List<String> PASSED_THROUGH = List.of("CALIBRA_ALLOWED_ROOTS", "CALIBRA_LOG_JSON",
            "CALIBRA_OTLP_ENDPOINT", "CALIBRA_MAX_MESSAGE_BYTES", "CALIBRA_TEAM_MAX_RUNNING", "CALIBRA_TORCH_THREADS",
            // an object store instead of the stack's folder (ArtifactStores), with the AWS SDK's usual settings
            "CALIBRA_ARTIFACT_STORE", "CALIBRA_ARTIFACT_CACHE", "CALIBRA_S3_PART_BYTES", "AWS_ENDPOINT_URL_S3",
            "AWS_ENDPOINT_URL", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN");

    private final StackConfig config;
    private final Consumer<String> notes;

    public Stack(StackConfig config, Consumer<String> notes) {
        this.config = config;
        this.notes = notes;
    }

    public StackConfig config() {
        return config;
    }

    public Optional<StackState> state() {
        return StackState.read(config.stateFile());
    }

    public StackState up() throws IOException, InterruptedException {
        config.requireBuilt();
        Optional<StackState> previous = state();
        StackState.Database database = ensureDatabase(previous.map(StackState::database).orElse(null));
        String adminKey = StackKeys.ensure(StackKeys.adminKeyFile(config));
        String serviceKey = StackKeys.ensure(StackKeys.serviceKeyFile(config));
        Map<String, StackState.Endpoint> services = new LinkedHashMap<>();
        // Keep the state file current as we go, so `stack down` can stop a half-started stack.
        new StackState(services, database).write(config.stateFile());
        for (ServiceSpec service : StackConfig.SERVICES) {
            StackState.Endpoint known = previous.map(s -> s.services().get(service.name())).orElse(null);
            services.put(service.name(), ensureService(service, known, database, adminKey, serviceKey));
            new StackState(services, database).write(config.stateFile());
        }
        return new StackState(services, database);
    }

    private StackState.Database ensureDatabase(StackState.Database known) throws IOException, InterruptedException {
        if (!config.embeddedDatabase()) {
            return new StackState.Database(config.externalDbUrl(), 0, false);
        }
        int port = config.embeddedDbPort();
        String url = EmbeddedDatabase.jdbcUrl(config.host(), port);
        if (known != null && known.embedded() && Processes.alive(known.pid(), DB_MARKER).isPresent() && portOpen(port)) {
            return known;
        }
        if (portOpen(port)) {
            throw new IllegalStateException("port " + port + " (embedded PostgreSQL) is taken by another process; set "
                    + "CALIBRA_PORT_BASE to use other ports or CALIBRA_DB_URL to use an existing PostgreSQL");
        }
        notes.accept("starting embedded PostgreSQL on " + config.host() + ":" + port);
        Path log = config.logDir().resolve("postgres.log");
        List<String> command = List.of(javaBinary(), "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                DB_MARKER, config.databaseDir().toString(), Integer.toString(port));
        int readyBefore = readyLines(log);
        long pid = Processes.startDetached(command, Map.of(), log);
        waitFor("embedded PostgreSQL", log, pid, DB_MARKER, () -> portOpen(port) && readyLines(log) > readyBefore);
        return new StackState.Database(url, pid, true);
    }

    private StackState.Endpoint ensureService(ServiceSpec service, StackState.Endpoint known, StackState.Database database,
            String adminKey, String serviceKey) throws IOException, InterruptedException {
        int port = config.portOf(service);
        String marker = config.jarOf(service).toString();
        String address = config.host() + ":" + port;
        Path log = config.logDir().resolve(service.name() + ".log");
        if (known != null && Processes.alive(known.pid(), marker).isPresent()) {
            // Running but maybe not SERVING yet (the registry says NOT_SERVING until its database answers, e.g.
            // right after PostgreSQL restarted): wait for it rather than start a second process on its port.
            waitFor(service.name(), log, known.pid(), marker, () -> Health.serving(address));
            return known;
        }
        if (portOpen(port)) {
            throw new IllegalStateException("port " + port + " (" + service.name() + ") is taken by another process; set "
                    + "CALIBRA_PORT_BASE to use other ports, or run ./calibra stack down");
        }
        notes.accept("starting " + service.name() + " on " + address);
        Map<String, String> env = new HashMap<>();
        env.put("CALIBRA_HOST", config.host());
        env.put("CALIBRA_PORT", Integer.toString(port));
        env.put("CALIBRA_REGISTRY", config.host() + ":" + config.portOf(StackConfig.SERVICES.get(0)));
        env.put("CALIBRA_ARTIFACTS", config.artifactsDir().toString());
        env.put("CALIBRA_ARTIFACT_CACHE", config.stateDir().resolve("artifact-cache").toString());
        env.put("CALIBRA_ASSETS", config.assets().toString());
        env.put("CALIBRA_SERVICE_KEY", serviceKey);
        if ("registry".equals(service.name())) {
            env.put("CALIBRA_ADMIN_KEY", adminKey);
        }
        // The local stack is one user's machine: their models and corpora may be anywhere, so it asks for any
        // path; CALIBRA_ALLOWED_ROOTS given to the launcher narrows that (the services deny by default).
        env.put("CALIBRA_ALLOWED_ROOTS", AllowedRoots.ANY);
        if (!"registry".equals(service.name())) {
            // Three workers share this machine's cores: libtorch's default of one thread per core in each of them
            // oversubscribes it (on 2 cores, one thread ran the demo's evaluations several times faster).
            env.put("CALIBRA_TORCH_THREADS", Integer.toString(Math.max(1, Runtime.getRuntime().availableProcessors() / 3)));
        }
        // Settings the operator gives the launcher reach every service (TLS, limits, allowed roots, logs).
        for (String passed : PASSED_THROUGH) {
            String value = System.getenv(passed);
            if (value != null) {
                env.put(passed, value);
            }
        }
        env.put("CALIBRA_DB_URL", database.url());
        env.put("CALIBRA_DB_USER", database.embedded() ? "postgres" : config.dbUser());
        env.put("CALIBRA_DB_PASSWORD", database.embedded() ? "" : config.dbPassword());
        env.put("DJL_CACHE_DIR", System.getenv().getOrDefault("DJL_CACHE_DIR",
                Path.of(System.getProperty("user.home"), ".djl.ai").toString()));
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-Xmx" + heapOf(service), "-jar", marker));
        long pid = Processes.startDetached(command, env, log);
        waitFor(service.name(), log, pid, marker, () -> Health.serving(address));
        return new StackState.Endpoint(config.host(), port, pid);
    }

    private static String heapOf(ServiceSpec service) {
        if ("registry".equals(service.name())) {
            return "256m";
        }
        // Model weights live in native memory (libtorch), not on the Java heap; CALIBRA_WORKER_HEAP sizes it.
        String heap = System.getenv("CALIBRA_WORKER_HEAP");
        if (heap == null || heap.isBlank()) {
            return "2g";
        }
        if (!heap.strip().matches("[1-9][0-9]*[mMgG]")) {
            throw new IllegalArgumentException("CALIBRA_WORKER_HEAP '" + heap + "' is not a heap size such as 512m or 2g");
        }
        return heap.strip();
    }

    public List<String> down() throws IOException {
        Optional<StackState> state = state();
        List<String> stopped = new ArrayList<>();
        if (state.isEmpty()) {
            return stopped;
        }
        List<ServiceSpec> reversed = new ArrayList<>(StackConfig.SERVICES);
        java.util.Collections.reverse(reversed);
        for (ServiceSpec service : reversed) {
            StackState.Endpoint endpoint = state.get().services().get(service.name());
            if (endpoint != null) {
                Processes.alive(endpoint.pid(), config.jarOf(service).toString()).ifPresent(process -> {
                    Processes.stop(process, STOP_GRACE);
                    stopped.add(service.name());
                });
            }
        }
        StackState.Database database = state.get().database();
        if (database != null && database.embedded()) {
            Processes.alive(database.pid(), DB_MARKER).ifPresent(process -> {
                Processes.stop(process, STOP_GRACE);
                stopped.add("postgres");
            });
        }
        java.nio.file.Files.deleteIfExists(config.stateFile());
        return stopped;
    }

    /** Per service: whether its process is alive and its health check answers SERVING. */
    public Map<String, Boolean> health(StackState state) {
        Map<String, Boolean> health = new LinkedHashMap<>();
        for (ServiceSpec service : StackConfig.SERVICES) {
            StackState.Endpoint endpoint = state.services().get(service.name());
            health.put(service.name(), endpoint != null
                    && Processes.alive(endpoint.pid(), config.jarOf(service).toString()).isPresent()
                    && Health.serving(endpoint.address()));
        }
        return health;
    }

    private interface Check {
        boolean ok() throws IOException;
    }

    private void waitFor(String what, Path log, long pid, String marker, Check ready) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (ready.ok()) {
                return;
            }
            if (Processes.alive(pid, marker).isEmpty()) {
                throw new IllegalStateException(what + " exited during start-up; last lines of " + log + ":\n"
                        + Processes.tail(log, 25));
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(what + " did not become healthy within " + START_TIMEOUT.toSeconds() + " s; see " + log
                + ":\n" + Processes.tail(log, 25));
    }

    /** How often the database process has announced readiness in its (appended) log. */
    private static int readyLines(Path log) throws IOException {
        if (!java.nio.file.Files.exists(log)) {
            return 0;
        }
        return (int) java.nio.file.Files.readAllLines(log).stream().filter(l -> l.startsWith("embedded PostgreSQL ready")).count();
    }

    static boolean portOpen(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 300);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
