package dev.calibra.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.calibra.proto.v1.QueryScoresRequest;
import dev.calibra.proto.v1.RegistryGrpc;
import dev.calibra.proto.v1.Score;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** calibra eval through ./calibra against the shared stack: scores recorded, a bad task name records nothing. */
class EvaluationCliIT {

    private static final Path STORIES = LocalStack.assets().resolve("models/stories260K");

    private static List<Score> scores(LocalStack stack, String modelId) {
        return RegistryGrpc.newBlockingStub(stack.channel("registry"))
                .queryScores(QueryScoresRequest.newBuilder().setModelId(modelId).setTask("copa").setPageSize(100).build())
                .getScoresList();
    }

    @Test
    void evalCopa_recordsScores_unknownTaskRecordsNothing() {
        LocalStack stack = LocalStack.shared();
        String modelId = stack.cli("models", "register", "--path", STORIES.toString(), "--json").json().get("id").asText();
        int before = scores(stack, modelId).size();

        LocalStack.CliResult bad = stack.cli("eval", "--model", modelId, "--tasks", "copa,no_such_task", "--json");
        assertEquals(1, bad.exitCode(), bad.stderr());
        assertTrue(bad.json().get("error").get("message").asText().contains("unknown task 'no_such_task'"), bad.stdout());
        assertEquals(before, scores(stack, modelId).size(), "a failed evaluation records nothing");

        LocalStack.CliResult result = stack.cli("eval", "--model", modelId, "--tasks", "copa", "--json");
        assertEquals(0, result.exitCode(), result.stderr());
        JsonNode json = result.json();
        JsonNode acc = json.get("scores").get(0);
        assertEquals("copa", acc.get("task").asText());
        assertEquals("acc", acc.get("metric").asText());
        assertEquals(100, acc.get("n").asLong());
        assertEquals(0.64, acc.get("value").asDouble(), 0.03);
        assertTrue(acc.get("stderr").asDouble() > 0);

        List<Score> recorded = scores(stack, modelId);
        assertEquals(before + 2, recorded.size(), "acc and acc_norm recorded");
        Score stored = recorded.stream().filter(s -> s.getMetric().equals("acc")).findFirst().orElseThrow();
        assertEquals(acc.get("value").asDouble(), stored.getValue(), 1e-12);
        assertEquals("16", stored.getSettingsOrThrow("batch_size"));
        assertTrue(stored.getEnvironmentOrThrow("djl_version").startsWith("0.36"), stored.getEnvironmentMap().toString());

        LocalStack.CliResult missing = stack.cli("eval", "--model", "mdl-does-not-exist", "--tasks", "copa", "--json");
        assertEquals("NOT_FOUND", missing.json().get("error").get("code").asText(), missing.stdout());
    }
}
