package dev.calibra.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** models register/list/show and generate through ./calibra against the shared stack (the --json contract). */
class ModelsCliIT {

    private static final Path STORIES = LocalStack.assets().resolve("models/stories260K");

    @Test
    void register_isIdempotentByContent_andListShowAndGenerateFollowTheContract() {
        LocalStack stack = LocalStack.shared();
        JsonNode first = stack.cli("models", "register", "--path", STORIES.toString(), "--name", "cli-stories", "--json").json();
        for (String key : new String[] {"id", "name", "path", "sha256", "parameters"}) {
            assertTrue(first.has(key), "models register --json has " + key + ": " + first);
        }
        assertEquals(STORIES.toString(), first.get("path").asText());
        assertEquals(292_800, first.get("parameters").asLong());
        JsonNode again = stack.cli("models", "register", "--path", STORIES.toString(), "--name", "cli-stories", "--json").json();
        assertEquals(first.get("id"), again.get("id"), "the same folder again returns the existing model");

        JsonNode list = stack.cli("models", "list", "--json").json();
        assertTrue(list.get("models").findValuesAsText("id").contains(first.get("id").asText()));
        assertEquals("cli-stories", stack.cli("models", "show", first.get("id").asText(), "--json").json().get("name").asText());

        LocalStack.CliResult generated = stack.cli("generate", "--model", "cli-stories", "--max-new-tokens", "12", "--json");
        assertEquals(0, generated.exitCode(), generated.stderr());
        JsonNode json = generated.json();
        assertEquals(12, json.get("token_ids").size());
        assertTrue(json.get("text").asText().startsWith("Once upon a time, there was a little girl"), json.toString());
    }

    @Test
    void register_otherContentUnderTakenName_isAlreadyExists(@TempDir Path copy) throws Exception {
        LocalStack stack = LocalStack.shared();
        stack.cli("models", "register", "--path", STORIES.toString(), "--name", "taken-name", "--json");
        try (var files = Files.list(STORIES)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.copy(file, copy.resolve(file.getFileName()));
            }
        }
        Files.writeString(copy.resolve("README.txt"), "another content");
        LocalStack.CliResult result = stack.cli("models", "register", "--path", copy.toString(), "--name", "taken-name", "--json");
        assertEquals(1, result.exitCode());
        assertEquals("ALREADY_EXISTS", result.json().get("error").get("code").asText());
    }

    @Test
    void register_folderWithoutWeights_isRefusedAndRegistersNothing(@TempDir Path broken) throws Exception {
        LocalStack stack = LocalStack.shared();
        Files.copy(STORIES.resolve("config.json"), broken.resolve("config.json"));
        LocalStack.CliResult result = stack.cli("models", "register", "--path", broken.toString(), "--name", "broken", "--json");
        assertEquals(1, result.exitCode());
        JsonNode error = result.json().get("error");
        assertEquals("INVALID_ARGUMENT", error.get("code").asText());
        assertTrue(error.get("message").asText().contains(broken.toString()), error.toString());
        assertEquals(1, stack.cli("models", "show", "broken", "--json").exitCode(), "nothing was registered");
    }
}
