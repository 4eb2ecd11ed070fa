package dev.calibra.cli.stack;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** What `stack up` started, persisted in the state directory so later commands find it. */
public record StackState(Map<String, Endpoint> services, Database database) {

    public record Endpoint(String host, int port, long pid) {
        public String address() {
            return host + ":" + port;
        }
    }

    /** The database the registry uses; pid is 0 for an external one. */
    public record Database(String url, long pid, boolean embedded) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    public static Optional<StackState> read(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(file.toFile(), StackState.class));
        } catch (IOException e) {
            return Optional.empty();  // a damaged state file means "nothing known to be running"
        }
    }

    public void write(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        JSON.writerWithDefaultPrettyPrinter().writeValue(temp.toFile(), this);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public Map<String, String> addresses() {
        Map<String, String> addresses = new LinkedHashMap<>();
        services.forEach((name, endpoint) -> addresses.put(name, endpoint.address()));
        return addresses;
    }
}
