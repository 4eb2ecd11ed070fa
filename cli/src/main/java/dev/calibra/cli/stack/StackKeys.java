package dev.calibra.cli.stack;

import dev.calibra.rpc.auth.ApiKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;

/**
 * The local stack's two bootstrap secrets, made on its first start and kept (owner-only) in the state
 * dir: the default team's admin key, which the CLI uses unless CALIBRA_API_KEY is set, and the service
 * key the worker services present to the registry.
 */
public final class StackKeys {

    private StackKeys() {}

    public static Path adminKeyFile(StackConfig config) {
        return config.stateDir().resolve("keys/admin.key");
    }

    public static Path serviceKeyFile(StackConfig config) {
        return config.stateDir().resolve("keys/service.key");
    }

    /** Reads the secret in file, making it first when the file does not exist yet. */
    public static String ensure(Path file) throws IOException {
        Optional<String> existing = read(file);
        if (existing.isPresent()) {
            return existing.get();
        }
        Files.createDirectories(file.getParent(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        String secret = ApiKeys.newSecret();
        Files.writeString(file, secret + "\n", StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return secret;
    }

    public static Optional<String> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        String secret = Files.readString(file, StandardCharsets.US_ASCII).trim();
        return secret.isEmpty() ? Optional.empty() : Optional.of(secret);
    }

    /** The key a CLI command sends: CALIBRA_API_KEY, else the local stack's admin key, else none. */
    public static String forClient(StackConfig config, Map<String, String> env) {
        String fromEnv = env.get("CALIBRA_API_KEY");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv.trim();
        }
        try {
            return read(adminKeyFile(config)).orElse("");
        } catch (IOException e) {
            return "";
        }
    }
}
