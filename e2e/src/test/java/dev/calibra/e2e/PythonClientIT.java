package dev.calibra.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.calibra.proto.v1.GetJobRequest;
import dev.calibra.proto.v1.GetModelRequest;
import dev.calibra.proto.v1.Job;
import dev.calibra.proto.v1.JobState;
import dev.calibra.proto.v1.JobsGrpc;
import dev.calibra.proto.v1.Model;
import dev.calibra.proto.v1.RegistryGrpc;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/python/compress_and_watch.py, a Python gRPC client (Debian python3-grpcio, stubs generated from
 * proto/ by examples/python/make_stubs.sh), against the shared stack: it submits a COMPRESS job, watches
 * it to the registered model, is idempotent by request id, and reports a failed job with exit status 1 and a
 * refused call with exit status 2.
 */
class PythonClientIT {

    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Path EXAMPLES = LocalStack.repositoryRoot().resolve("examples/python");

    private static LocalStack stack;
    private static Path stubs;

    @BeforeAll
    static void stubsFromTheProtoFiles(@TempDir Path temp) throws Exception {
        boolean available = Files.isExecutable(PYTHON)
                && new ProcessBuilder(PYTHON.toString(), "-c", "import grpc, grpc_tools").start().waitFor() == 0;
        if (System.getenv("CI") != null && !available) {
            throw new AssertionError("CI must install python3-grpcio and python3-grpc-tools (.ci/run does)");
        }
        assumeTrue(available, "python3-grpcio / python3-grpc-tools not installed");
        stubs = temp.resolve("stubs");
        Run generated = run(List.of(EXAMPLES.resolve("make_stubs.sh").toString(), stubs.toString()), Map.of("PYTHON", PYTHON.toString()));
        assertEquals(0, generated.exitCode(), generated.output());
        assertTrue(Files.isRegularFile(stubs.resolve("calibra/v1/jobs_pb2_grpc.py")), generated.output());
        stack = LocalStack.shared();
    }

    @Test
    void compressAndWatch_submitsAGptqJob_watchesItToTheRegisteredModel_andIsIdempotentByRequestId() throws Exception {
        String model = cliId("models", "register", "--path", LocalStack.assets().resolve("models/stories260K").toString(),
                "--name", "python-base", "--json");
        String corpus = cliId("corpora", "add", "--path", LocalStack.assets().resolve("corpora/tinystories_valid_first.txt")
                .toString(), "--name", "python-tinystories", "--json");
        String set = cliId("calibrate", "--model", model, "--corpus", corpus, "--samples", "16", "--seq-len", "128", "--json");
        String requestId = UUID.randomUUID().toString();
        List<String> command = List.of("--model", model, "--calibration-set", set, "--method", "gptq", "--bits", "4",
                "--request-id", requestId, "--timeout", "300");

        Run first = client(command, stack.apiKey());
        assertEquals(0, first.exitCode(), first.output());
        List<String> lines = first.output().lines().toList();
        assertTrue(lines.get(0).matches("submitted\tjob-\\S+"), first.output());
        String jobId = lines.get(0).split("\t")[1];
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("JOB_STATE_SUCCEEDED\t100%")), first.output());
        // The result line, not the last one: stderr follows stdout here and may hold a retry notice.
        String[] result = lines.stream().filter(l -> l.startsWith("model\t")).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no model line: " + first.output())).split("\t");

        Job job = JobsGrpc.newBlockingStub(stack.channel("registry")).getJob(GetJobRequest.newBuilder().setId(jobId).build());
        assertEquals(JobState.JOB_STATE_SUCCEEDED, job.getState());
        assertEquals(List.of(result[1]), job.getResultIdsList(), "the printed model is the job's result");
        Model compressed = RegistryGrpc.newBlockingStub(stack.channel("registry"))
                .getModel(GetModelRequest.newBuilder().setId(result[1]).build());
        assertEquals(model, compressed.getParentModelId());
        assertEquals("gptq", compressed.getCompression().getMethod());
        assertEquals(compressed.getArtifactUri(), result[3]);
        assertTrue(Files.isRegularFile(Path.of(URI.create(result[3])).resolve("model.safetensors")), result[3]);

        // The same request id again: the first job answers, nothing is queued or compressed twice.
        Run again = client(command, stack.apiKey());
        assertEquals(0, again.exitCode(), again.output());
        assertTrue(again.output().startsWith("submitted\t" + jobId + "\n"), again.output());
        assertTrue(again.output().contains("model\t" + result[1] + "\t"), again.output());
    }

    @Test
    void compressAndWatch_jobThatFails_exitsOneWithTheJobsReason(@TempDir Path temp) throws Exception {
        // A model whose weights file is damaged after registration passes every check at submission and fails
        // in the compression service, which checks the folder against its registered sha256 before reading it.
        Path folder = temp.resolve("damaged");
        Files.createDirectories(folder);
        try (var files = Files.list(LocalStack.assets().resolve("models/stories260K"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, folder.resolve(file.getFileName()));
            }
        }
        String model = cliId("models", "register", "--path", folder.toString(), "--name", "python-damaged", "--json");
        Files.write(folder.resolve("model.safetensors"), new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f, 0, 0, 0, 0});
        Run failed = client(List.of("--model", model, "--method", "rtn", "--bits", "4", "--timeout", "120"), stack.apiKey());
        assertEquals(1, failed.exitCode(), failed.output());
        assertTrue(failed.output().contains("JOB_STATE_FAILED"), failed.output());
        assertTrue(failed.output().contains("[DATA_LOSS] model " + model + " at " + folder + " has changed since it was registered"),
                "the job's reason names the model and its folder: " + failed.output());
    }

    @Test
    void compressAndWatch_unsupportedBits_isRefusedAtSubmission_exitsTwoNamingTheField() throws Exception {
        String model = cliId("models", "register", "--path", LocalStack.assets().resolve("models/stories260K").toString(),
                "--name", "python-base", "--json");
        Run refused = client(List.of("--model", model, "--method", "rtn", "--bits", "5", "--timeout", "60"), stack.apiKey());
        assertEquals(2, refused.exitCode(), refused.output());
        assertTrue(refused.output().contains("INVALID_ARGUMENT") && refused.output().contains("parameters.bits"), refused.output());
    }

    @Test
    void compressAndWatch_unknownModel_isRefusedAtSubmission_exitsTwoWithNotFound() throws Exception {
        Run refused = client(List.of("--model", "mdl-does-not-exist", "--method", "rtn", "--timeout", "60"), stack.apiKey());
        assertEquals(2, refused.exitCode(), refused.output());
        assertTrue(refused.output().contains("NOT_FOUND") && refused.output().contains("mdl-does-not-exist"), refused.output());
    }

    @Test
    void compressAndWatch_wrongApiKey_exitsTwoWithUnauthenticated() throws Exception {
        assumeTrue(!stack.apiKey().isEmpty(), "this stack issues no API keys yet");
        Run refused = client(List.of("--model", "any", "--method", "rtn", "--timeout", "60"), "not-a-key");
        assertEquals(2, refused.exitCode(), refused.output());
        assertTrue(refused.output().contains("UNAUTHENTICATED"), refused.output());
    }

    private static Run client(List<String> arguments, String apiKey) throws Exception {
        List<String> command = new ArrayList<>(List.of(PYTHON.toString(), EXAMPLES.resolve("compress_and_watch.py").toString(),
                "--registry", stack.address("registry")));
        command.addAll(arguments);
        return run(command, apiKey.isEmpty() ? Map.of("PYTHONPATH", stubs.toString())
                : Map.of("PYTHONPATH", stubs.toString(), "CALIBRA_API_KEY", apiKey));
    }

    private static String cliId(String... args) {
        LocalStack.CliResult result = stack.cli(args);
        assertEquals(0, result.exitCode(), String.join(" ", args) + ":\n" + result.stdout() + result.stderr());
        return result.json().get("id").asText();
    }

    private record Run(int exitCode, String output) {}

    /** Runs a command with extra environment, stdout then stderr in the output; at most 5 minutes. */
    private static Run run(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        Path err = Files.createTempFile("python-client", ".err");
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(err.toFile());
        builder.environment().remove("CALIBRA_API_KEY");
        builder.environment().putAll(env);
        Process process = builder.start();
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not finish within 5 minutes:\n" + stdout);
        }
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        Files.deleteIfExists(err);
        return new Run(process.exitValue(), stdout + stderr);
    }
}
