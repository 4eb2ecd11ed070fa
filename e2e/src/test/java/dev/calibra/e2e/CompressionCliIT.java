package dev.calibra.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** calibrate -> compress through ./calibra against the shared stack: the --json contract, lineage, bad input. */
class CompressionCliIT {

    private static final Path STORIES = LocalStack.assets().resolve("models/stories260K");
    private static final Path TINYSTORIES = LocalStack.assets().resolve("corpora/tinystories_valid_first.txt");

    @Test
    void compress_gptq4_registersAPackedModelWithLineage_andBadBitsRegisterNothing() throws Exception {
        LocalStack stack = LocalStack.shared();
        String model = stack.cli("models", "register", "--path", STORIES.toString(), "--name", "compress-base", "--json")
                .json().get("id").asText();
        LocalStack.CliResult corpus = stack.cli("corpora", "add", "--path", TINYSTORIES.toString(), "--name",
                "compress-tinystories", "--json");
        assertEquals(0, corpus.exitCode(), corpus.stdout() + corpus.stderr());
        LocalStack.CliResult calibrated = stack.cli("calibrate", "--model", model, "--corpus", corpus.json().get("id").asText(),
                "--samples", "16", "--seq-len", "128", "--json");
        assertEquals(0, calibrated.exitCode(), calibrated.stderr());
        String set = calibrated.json().get("id").asText();

        LocalStack.CliResult compressed = stack.cli("compress", "--model", model, "--calibration", set,
                "--method", "gptq", "--bits", "4", "--json");
        assertEquals(0, compressed.exitCode(), compressed.stderr());
        JsonNode json = compressed.json();
        for (String key : new String[] {"id", "artifact_path", "job_id"}) {
            assertTrue(json.has(key), "compress --json has " + key + ": " + json);
        }
        Path folder = Path.of(json.get("artifact_path").asText());
        assertTrue(folder.isAbsolute());
        JsonNode config = new ObjectMapper().readTree(folder.resolve("config.json").toFile());
        assertEquals("gptq", config.get("quantization_config").get("quant_method").asText());
        assertTrue(Files.exists(folder.resolve("calibra_compression.json")));
        JsonNode shown = stack.cli("models", "show", json.get("id").asText(), "--json").json();
        assertEquals(model, shown.get("parent_model_id").asText());
        assertEquals(json.get("job_id").asText(), shown.get("producing_job_id").asText());
        assertEquals(set, shown.get("compression").get("calibration_set_id").asText());

        // aimed at vLLM: its servable grid by default, quantize_config.json beside config.json, and the loaders'
        // verdicts in the report, which `models inspect` shows
        LocalStack.CliResult served = stack.cli("compress", "--model", model, "--calibration", set, "--method", "gptq",
                "--target", "vllm", "--json");
        assertEquals(0, served.exitCode(), served.stderr());
        Path servedFolder = Path.of(served.json().get("artifact_path").asText());
        JsonNode quantize = new ObjectMapper().readTree(servedFolder.resolve("quantize_config.json").toFile());
        assertEquals(4, quantize.get("bits").asInt());
        assertEquals(128, quantize.get("group_size").asInt());
        assertTrue(quantize.get("sym").asBoolean());
        assertTrue(quantize.get("meta").get("quantizer").get(0).asText().startsWith("calibra:"), quantize.toString());
        JsonNode inspected = stack.cli("models", "inspect", servedFolder.toString(), "--json").json();
        java.util.Map<String, Boolean> servable = new java.util.HashMap<>();
        inspected.get("servability").forEach(v -> servable.put(v.get("loader").asText(), v.get("servable").asBoolean()));
        assertEquals(Boolean.TRUE, servable.get("vllm-auto-gptq"), inspected.get("servability").toString());
        // group 128 does not divide stories260K's 64 input columns, which vLLM's older GPTQ kernels need
        assertEquals(Boolean.FALSE, servable.get("vllm-gptq"), inspected.get("servability").toString());
        assertEquals(inspected.get("servability"), served.json().get("servability"));
        JsonNode servedModel = stack.cli("models", "show", served.json().get("id").asText(), "--json").json();
        assertTrue(servedModel.get("tags").toString().contains("served-by:vllm-auto-gptq"), servedModel.toString());
        assertFalse(servedModel.get("tags").toString().contains("served-by:vllm-gptq\""), servedModel.toString());
        LocalStack.CliResult threeBit = stack.cli("compress", "--model", model, "--calibration", set, "--method", "gptq",
                "--bits", "3", "--target", "vllm", "--json");
        assertEquals(1, threeBit.exitCode(), threeBit.stdout());
        assertEquals("INVALID_ARGUMENT", threeBit.json().get("error").get("code").asText(), threeBit.stdout());
        assertTrue(threeBit.json().get("error").get("message").asText().startsWith("--target vllm: bits: vLLM serves 4- and 8-bit"
                + " GPTQ; got 3"), threeBit.stdout());

        // the direct Compress RPC streams per-linear reports and ends with the registered result
        var compression = dev.calibra.proto.v1.CompressionGrpc.newBlockingStub(stack.channel("compression"));
        assertEquals(java.util.List.of("gptq", "rtn", "spqr", "awq", "sparsegpt", "wanda", "magnitude"),
                compression.listMethods(dev.calibra.proto.v1.ListMethodsRequest.getDefaultInstance()).getMethodsList().stream()
                        .map(dev.calibra.proto.v1.MethodInfo::getName).toList());
        java.util.List<dev.calibra.proto.v1.CompressEvent> events = new java.util.ArrayList<>();
        compression.compress(dev.calibra.proto.v1.CompressRequest.newBuilder().setModelId(model).setCalibrationSetId(set)
                .setMethod("wanda").setParameters(dev.calibra.proto.v1.CompressionParameters.newBuilder().setSparsity(0.5))
                .build()).forEachRemaining(events::add);
        assertEquals(35, events.stream().filter(dev.calibra.proto.v1.CompressEvent::hasLayer).count());
        dev.calibra.proto.v1.CompressEvent last = events.get(events.size() - 1);
        assertTrue(last.hasResult());
        assertEquals(model, last.getResult().getModel().getParentModelId());
        assertEquals("wanda", last.getResult().getModel().getCompression().getMethod());

        int modelsBefore = stack.cli("models", "list", "--json").json().get("models").size();
        LocalStack.CliResult bad = stack.cli("compress", "--model", model, "--calibration", set, "--method", "gptq",
                "--bits", "5", "--json");
        assertEquals(1, bad.exitCode());
        assertEquals("INVALID_ARGUMENT", bad.json().get("error").get("code").asText(), bad.stdout());
        assertTrue(bad.json().get("error").get("message").asText().contains("bits"), bad.stdout());
        assertEquals(modelsBefore, stack.cli("models", "list", "--json").json().get("models").size());

        // SpQR: the dense model, its compact form beside it, bits and outliers in the result
        LocalStack.CliResult spqr = stack.cli("compress", "--model", model, "--calibration", set, "--method", "spqr", "--bits", "3",
                "--group-size", "16", "--qq-bits", "3", "--outlier-threshold", "0.2", "--json");
        assertEquals(0, spqr.exitCode(), spqr.stderr());
        assertTrue(spqr.json().get("average_bits").asDouble() > 3, spqr.stdout());
        assertTrue(spqr.json().get("outlier_fraction").asDouble() > 0, spqr.stdout());
        assertTrue(Files.exists(Path.of(spqr.json().get("artifact_path").asText()).resolve("spqr/model.spqr.safetensors")));

        // AWQ: packed as AutoAWQ GEMM where the layout holds the linear; format awq refuses the 172-wide MLP, naming it
        LocalStack.CliResult awq = stack.cli("compress", "--model", model, "--calibration", set, "--method", "awq", "--bits", "4",
                "--group-size", "32", "--json");
        assertEquals(0, awq.exitCode(), awq.stderr());
        assertEquals("awq-int4", awq.json().get("dtype").asText(), awq.stdout());
        JsonNode awqConfig = new ObjectMapper().readTree(Path.of(awq.json().get("artifact_path").asText()).resolve("config.json").toFile());
        assertEquals("gemm", awqConfig.get("quantization_config").get("version").asText());
        LocalStack.CliResult unpackable = stack.cli("compress", "--model", model, "--calibration", set, "--method", "awq",
                "--group-size", "32", "--format", "awq", "--json");
        assertEquals(1, unpackable.exitCode());
        assertEquals("INVALID_ARGUMENT", unpackable.json().get("error").get("code").asText(), unpackable.stdout());
        assertTrue(unpackable.json().get("error").get("message").asText()
                .contains("mlp.down_proj: group_size 32 does not divide the 172 input columns"), unpackable.stdout());
        LocalStack.CliResult wrongFormat = stack.cli("compress", "--model", model, "--calibration", set, "--method", "gptq",
                "--format", "awq", "--json");
        assertEquals(1, wrongFormat.exitCode());
        assertTrue(wrongFormat.json().get("error").get("message").asText().startsWith("--format: awq packs the results of awq"),
                wrongFormat.stdout());
    }

    @Test
    void explicitZeroFlags_areRefusedWithTheFlagNamed_andNothingIsQueued() {
        LocalStack stack = LocalStack.shared();
        int jobsBefore = stack.cli("jobs", "list", "--limit", "1000000", "--json").json().get("jobs").size();
        String[][] calls = {
            {"compress", "--model", "compress-base", "--method", "gptq", "--bits", "0"},
            {"compress", "--model", "compress-base", "--method", "gptq", "--group-size", "0"},
            {"compress", "--model", "compress-base", "--method", "sparsegpt", "--sparsity", "0"},
            {"calibrate", "--model", "compress-base", "--corpus", "compress-tinystories", "-n", "0"},
            {"calibrate", "--model", "compress-base", "--corpus", "compress-tinystories", "--seq-len", "0"},
        };
        for (String[] call : calls) {
            String flag = call[call.length - 2];
            String[] withJson = java.util.Arrays.copyOf(call, call.length + 1);
            withJson[call.length] = "--json";
            LocalStack.CliResult refused = stack.cli(withJson);
            assertEquals(1, refused.exitCode(), String.join(" ", call));
            JsonNode error = refused.json().get("error");
            assertEquals("INVALID_ARGUMENT", error.get("code").asText(), error.toString());
            assertTrue(error.get("message").asText().contains("'" + flag + "'"), error.toString());
        }
        assertEquals(jobsBefore, stack.cli("jobs", "list", "--limit", "1000000", "--json").json().get("jobs").size(), "nothing queued");
    }
}
