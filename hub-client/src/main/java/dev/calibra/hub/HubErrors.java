package dev.calibra.hub;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.calibra.hub.HubException.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Turns the hub's error answers into HubExceptions, in one place. The hub says what is missing in
 * {@code X-Error-Code} (RepoNotFound, RevisionNotFound, EntryNotFound, GatedRepo) and why in
 * {@code X-Error-Message} or a JSON {@code {"error": ...}} body. It answers 401 both for a refused token and,
 * without a token, for private, gated and missing repositories alike, so a 401 names both causes.
 */
final class HubErrors {

    private static final int MAX_BODY_CHARS = 400;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HubReference reference;
    private final HubSettings settings;

    HubErrors(HubReference reference, HubSettings settings) {
        this.reference = reference;
        this.settings = settings;
    }

    /** Whether a failed status is worth another try: the hub or CDN is overloaded or down. */
    static boolean isTransient(int status) {
        return status == 429 || status >= 500;
    }

    /**
     * The exception for an error answer to a request about {@code file} (null for the repository's API).
     * Reads a little of the body for the server's message.
     */
    HubException fromResponse(HubResponse response, String file, int attempts) {
        int status = response.status();
        String code = response.header("X-Error-Code").orElse("");
        String seen = " (HTTP " + status + (code.isEmpty() ? "" : " " + code) + " from " + response.uri() + ")"
                + serverMessage(response);
        String repo = reference.repoId();
        if ("GatedRepo".equals(code)) {
            String how = " is a gated repository: accept its conditions at " + settings.endpoint() + "/" + repo;
            return status == 401 && !settings.hasToken()
                    ? new HubException(Kind.UNAUTHENTICATED, repo + how + " and set HF_TOKEN" + seen)
                    : new HubException(Kind.PERMISSION_DENIED, repo + how + " with the account HF_TOKEN belongs to" + seen);
        }
        if (status == 401) {
            return new HubException(Kind.UNAUTHENTICATED, settings.hasToken()
                    ? "HF_TOKEN was refused by " + settings.endpoint() + " for " + repo + seen
                    : repo + " was not found, or it is private or gated and needs a valid HF_TOKEN" + seen);
        }
        if (status == 403) {
            return new HubException(Kind.PERMISSION_DENIED, "access to " + repo + " was denied"
                    + (settings.hasToken() ? "; check HF_TOKEN's permissions" : "; set HF_TOKEN") + seen);
        }
        if (status == 404) {
            String what = switch (code) {
                case "RepoNotFound" -> "repository " + repo + " was not found at " + settings.endpoint()
                        + (settings.hasToken() ? "" : " (if it is private, set HF_TOKEN)");
                case "RevisionNotFound" -> "revision '" + reference.revision() + "' was not found in " + repo;
                case "EntryNotFound" -> "file '" + file + "' was not found in " + reference.uri();
                default -> (file == null ? repo : "file '" + file + "' of " + reference.uri()) + " was not found";
            };
            return new HubException(Kind.NOT_FOUND, what + seen);
        }
        if (isTransient(status)) {
            return new HubException(Kind.UNAVAILABLE, settings.endpoint() + " is unavailable: "
                    + (file == null ? repo : "'" + file + "' of " + repo) + " failed " + attempts + " times" + seen);
        }
        Kind kind = status >= 400 && status < 500 ? Kind.INVALID_ARGUMENT : Kind.UNAVAILABLE;
        return new HubException(kind, "the hub did not serve " + (file == null ? repo : "'" + file + "' of " + repo) + seen);
    }

    /** The connection failed {@code attempts} times. */
    HubException unreachable(String what, int attempts, IOException cause) {
        return new HubException(Kind.UNAVAILABLE, settings.endpoint() + " could not be reached for " + what
                + " after " + attempts + (attempts == 1 ? " attempt: " : " attempts: ") + describe(cause), cause);
    }

    static String describe(IOException e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : " " + message);
    }

    private static String serverMessage(HubResponse response) {
        String header = response.header("X-Error-Message").orElse("");
        if (!header.isBlank()) {
            return ": " + header;
        }
        String body = readSome(response.body());
        try {
            JsonNode error = JSON.readTree(body).path("error");
            if (error.isTextual() && !error.asText().isBlank()) {
                return ": " + error.asText();
            }
        } catch (JsonProcessingException e) {
            // Not JSON (an HTML error page from a proxy): say nothing rather than quote markup.
        }
        return "";
    }

    private static String readSome(InputStream body) {
        try (body) {
            byte[] bytes = body.readNBytes(MAX_BODY_CHARS);
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            // The error is already known from the status; a body we cannot read adds nothing to it.
            return "";
        }
    }
}
