package dev.calibra.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.calibra.hub.LocalHubServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * calibra models pull against a local HTTP server that speaks the Hugging Face Hub's protocol (there is
 * no hub access here), through ./calibra and the shared stack: a three-file model downloads, resumes
 * after a cut, a corrupted file is refused with nothing registered, and the origin is in the record.
 */
class ModelsPullCliIT {

    private static final Path STORIES = LocalStack.assets().resolve("models/stories260K");
    private static Path model;
    /** One hub per test: its fault switches (a cut, a corrupted file, a token) apply to the whole server. */
    private LocalHubServer hub;

    @BeforeAll
    static void threeFileModel(@TempDir Path folder) throws Exception {
        // A three-file model: config, weights, tokenizer (the shipped stories260K's).
        model = folder.resolve("stories3");
        Files.createDirectories(model);
        for (String file : List.of("config.json", "model.safetensors", "tokenizer.json")) {
            Files.copy(STORIES.resolve(file), model.resolve(file));
        }
    }

    @BeforeEach
    void startHub() throws Exception {
        hub = LocalHubServer.start();
    }

    @AfterEach
    void stopHub() {
        hub.close();
    }

    private LocalStack.CliResult calibra(Path cache, Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(List.of(LocalStack.shared().root().resolve("calibra").toString()));
        command.addAll(List.of(args));
        Map<String, String> hubEnv = new java.util.HashMap<>(Map.of("HF_ENDPOINT", hub.endpoint().toString(),
                "CALIBRA_HF_CACHE", cache.toString()));
        hubEnv.putAll(env);
        return LocalStack.shared().run(command, hubEnv);
    }

    @Test
    void pull_threeFileModel_downloadsResumesAfterACutAndRegistersWithItsOrigin(@TempDir Path cache) throws Exception {
        hub.serve("calibra-e2e/stories3", model).cutAfterBytes("model.safetensors", 400_000);
        String name = "pulled-stories-" + UUID.randomUUID();  // the shared stack outlives one run of this test
        LocalStack.CliResult pulled = calibra(cache, Map.of(), "models", "pull", "calibra-e2e/stories3", "--name", name, "--json");
        assertEquals(0, pulled.exitCode(), pulled.stderr());
        JsonNode json = pulled.json();
        String commit = LocalHubServer.commitOf("calibra-e2e/stories3");
        assertEquals(commit, json.get("origin").get("commit").asText());
        assertEquals("calibra-e2e/stories3", json.get("origin").get("repo_id").asText());
        assertEquals("main", json.get("origin").get("revision").asText());
        Path folder = Path.of(json.get("path").asText());
        assertEquals(cache.resolve("models--calibra-e2e--stories3/snapshots").resolve(commit), folder);
        for (String file : List.of("config.json", "model.safetensors", "tokenizer.json")) {
            assertEquals(-1, Files.mismatch(model.resolve(file), folder.resolve(file)), file + " arrived byte for byte");
        }
        assertTrue(hub.requests().stream().anyMatch(request -> "bytes=400000-".equals(request.range())),
                "the cut download resumed from its partial file: " + hub.requests());
        assertTrue(pulled.stderr().contains("resumed"), pulled.stderr());

        LocalStack.CliResult shown = LocalStack.shared().cli("models", "show", name);
        assertEquals(0, shown.exitCode(), shown.stderr());
        assertTrue(shown.stdout().contains("origin    hf://calibra-e2e/stories3@main (commit " + commit), shown.stdout());

        // A second pull finds every file in the cache and returns the same record.
        hub.clearRequests();
        LocalStack.CliResult again = calibra(cache, Map.of(), "models", "pull", "calibra-e2e/stories3", "--name", name, "--json");
        assertEquals(0, again.exitCode(), again.stderr());
        assertEquals(json.get("id"), again.json().get("id"));
        assertTrue(hub.requests().stream().noneMatch(LocalHubServer.RecordedRequest::isResolve), "no file downloaded again");
    }

    @Test
    void pull_corruptedFile_isRefusedAndRegistersNothing(@TempDir Path cache) throws Exception {
        hub.serve("calibra-e2e/corrupt", model).corrupt("model.safetensors");
        LocalStack.CliResult pulled = calibra(cache, Map.of(), "models", "pull", "calibra-e2e/corrupt", "--name", "corrupt-stories",
                "--json");
        assertEquals(1, pulled.exitCode());
        JsonNode error = pulled.json().get("error");
        assertEquals("DATA_LOSS", error.get("code").asText(), error.toString());
        assertTrue(error.get("message").asText().contains("model.safetensors"), error.toString());
        assertEquals(1, LocalStack.shared().cli("models", "show", "corrupt-stories", "--json").exitCode(), "nothing registered");
        try (Stream<Path> files = Files.walk(cache)) {
            assertFalse(files.anyMatch(path -> path.getFileName().toString().equals("model.safetensors")),
                    "no corrupted file in the cache's snapshots");
        }
    }

    @Test
    void pull_privateRepository_needsItsTokenAndUnknownOnesAreNotFound(@TempDir Path cache) throws Exception {
        hub.serve("calibra-e2e/private", model).requireToken("hf_e2e_secret");
        LocalStack.CliResult refused = calibra(cache, Map.of(), "models", "pull", "calibra-e2e/private", "--json");
        assertEquals(1, refused.exitCode());
        assertEquals("UNAUTHENTICATED", refused.json().get("error").get("code").asText(), refused.stdout());
        assertFalse(refused.stdout().contains("hf_e2e_secret") || refused.stderr().contains("hf_e2e_secret"));

        LocalStack.CliResult allowed = calibra(cache, Map.of("HF_TOKEN", "hf_e2e_secret"), "models", "pull",
                "calibra-e2e/private", "--name", "private-stories-" + UUID.randomUUID(), "--json");
        assertEquals(0, allowed.exitCode(), allowed.stderr());

        // As on the hub: with a valid token an unknown repository is 404 (without one the hub cannot tell it from a private one).
        LocalStack.CliResult missing = calibra(cache, Map.of("HF_TOKEN", "hf_e2e_secret"), "models", "pull", "calibra-e2e/no-such-model",
                "--json");
        assertEquals(1, missing.exitCode());
        assertEquals("NOT_FOUND", missing.json().get("error").get("code").asText(), missing.stdout());
    }

    @Test
    void hfUri_isAcceptedWhereAModelPathIs(@TempDir Path cache) throws Exception {
        hub.serve("calibra-e2e/by-uri", model);
        LocalStack.CliResult registered = calibra(cache, Map.of(), "models", "register", "--path", "hf://calibra-e2e/by-uri@main",
                "--name", "uri-stories-" + UUID.randomUUID(), "--json");
        assertEquals(0, registered.exitCode(), registered.stderr());
        assertEquals(LocalHubServer.commitOf("calibra-e2e/by-uri"), registered.json().get("origin").get("commit").asText());
        LocalStack.CliResult generated = calibra(cache, Map.of(), "generate", "--model", "hf://calibra-e2e/by-uri",
                "--max-new-tokens", "8", "--json");
        assertEquals(0, generated.exitCode(), generated.stderr());
        assertTrue(generated.json().get("text").asText().startsWith("Once upon a time"), generated.stdout());
    }
}
