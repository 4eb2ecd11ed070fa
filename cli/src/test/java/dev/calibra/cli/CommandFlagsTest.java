package dev.calibra.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.calibra.cli.commands.CompressCommandAccess;
import dev.calibra.proto.v1.CompressionParameters;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * An explicit flag value is validated as given: zero or out of range is refused with the flag named,
 * before any call is made (the registry address points nowhere, so a call would fail differently).
 */
class CommandFlagsTest {

    @TempDir Path state;

    private record Run(int status, String stdout, String stderr) {}

    private Run run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
            int status = CalibraCommand.run(args, Map.of("CALIBRA_STATE_DIR", state.toString(), "CALIBRA_REGISTRY", "127.0.0.1:1",
                    "CALIBRA_CALIBRATION", "127.0.0.1:1", "CALIBRA_EVALUATION", "127.0.0.1:1"));
            return new Run(status, stdout.toString(StandardCharsets.UTF_8), stderr.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "--bits, 0, compress --model m --method gptq",
        "--bits, 5, compress --model m --method gptq",
        "--qq-bits, 9, compress --model m --method spqr",
        "--outlier-threshold, 0, compress --model m --method spqr",
        "--scale-grid, 0, compress --model m --method awq",
        "--damp, 2, compress --model m --method gptq",
        "--group-size, 0, compress --model m --method gptq",
        "--group-size, -2, compress --model m --method gptq",
        "--sparsity, 0, compress --model m --method sparsegpt",
        "--sparsity, 1, compress --model m --method sparsegpt",
        "--damp, 0, compress --model m --method gptq",
        "--block-size, 0, compress --model m --method gptq",
        "--batch-size, 0, compress --model m --method gptq",
        "-n, 0, calibrate --model m --corpus c",
        "--samples, -3, calibrate --model m --corpus c",
        "--seq-len, 0, calibrate --model m --corpus c",
        "--weights, 0, calibrate --model m --corpus c",
        "--seq-len, 0, eval --model m --perplexity f.txt",
        "--limit, 0, eval --model m --tasks arc_easy",
        "--max-tokens, 0, eval --model m --perplexity f.txt",
        "--batch-size, 0, eval --model m --tasks arc_easy",
        "--max-new-tokens, 0, generate --model m --prompt x",
        "--top-p, 0, generate --model m --prompt x",
        "--limit, 0, models list",
    })
    void explicitZeroOrOutOfRange_isRefusedWithTheFlagNamed(String flag, String value, String command) throws Exception {
        String[] args = (command + " " + flag + " " + value + " --json").split(" ");
        Run run = run(args);
        assertEquals(1, run.status(), run.stderr());
        JsonNode error = Output.JSON.readTree(run.stdout()).get("error");
        assertEquals("INVALID_ARGUMENT", error.get("code").asText());
        String message = error.get("message").asText();
        assertTrue(message.contains("'" + flag + "'") || message.startsWith(flag + ":"), error.toString());
        assertTrue(run.stderr().contains(flag), run.stderr());
    }

    @Test
    void pattern_withNotBelowM_isRefusedBeforeAnyCall() throws Exception {
        Run run = run("compress", "--model", "m", "--method", "sparsegpt", "--pattern", "4:2", "--json");
        assertEquals(1, run.status());
        JsonNode error = Output.JSON.readTree(run.stdout()).get("error");
        assertEquals("INVALID_ARGUMENT", error.get("code").asText(), error.toString());
        assertTrue(error.get("message").asText().startsWith("--pattern"), error.toString());
    }

    @Test
    void compressParameters_setOnlyTheFlagsGiven() {
        CompressionParameters defaults = CompressCommandAccess.parameters("--model", "m", "--method", "gptq");
        assertTrue(!defaults.hasBits() && !defaults.hasGroupSize() && !defaults.hasDampPercent() && !defaults.hasBlockSize()
                && !defaults.hasBatchSize() && !defaults.hasSparsity(), defaults.toString());
        CompressionParameters given = CompressCommandAccess.parameters("--model", "m", "--method", "gptq", "--bits", "3",
                "--group-size", "-1", "--damp", "0.1");
        assertEquals(3, given.getBits());
        assertTrue(given.hasGroupSize());
        assertEquals(-1, given.getGroupSize());
        assertEquals(0.1, given.getDampPercent());
    }
}
