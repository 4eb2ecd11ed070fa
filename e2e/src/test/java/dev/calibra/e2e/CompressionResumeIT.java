package dev.calibra.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.calibra.proto.v1.CompressRequest;
import dev.calibra.proto.v1.CompressionParameters;
import dev.calibra.proto.v1.GetJobRequest;
import dev.calibra.proto.v1.GetModelRequest;
import dev.calibra.proto.v1.Job;
import dev.calibra.proto.v1.JobSpec;
import dev.calibra.proto.v1.JobState;
import dev.calibra.proto.v1.JobsGrpc;
import dev.calibra.proto.v1.RegistryGrpc;
import dev.calibra.proto.v1.SubmitJobRequest;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Kills the compression-service process in the middle of a COMPRESS job: after the lease runs out a
 * new process claims the job, resumes from the last block checkpoint, and writes the same weights as an
 * uninterrupted run.
 */
class CompressionResumeIT {

    private static final Path STORIES = LocalStack.assets().resolve("models/stories260K");
    private static final Path TINYSTORIES = LocalStack.assets().resolve("corpora/tinystories_valid_first.txt");

    @Test
    void killedWorker_jobResumesOnANewWorker_withIdenticalWeights() throws Exception {
        // an own stack: this test kills and restarts one of its processes
        LocalStack stack = LocalStack.create("compression-resume", 9480, java.util.Map.of());
        stack.up();
        try {
            run(stack);
        } finally {
            stack.down();
        }
    }

    private static void run(LocalStack stack) throws Exception {
        String model = stack.cli("models", "register", "--path", STORIES.toString(), "--name", "resume-base", "--json")
                .json().get("id").asText();
        String corpus = stack.cli("corpora", "add", "--path", TINYSTORIES.toString(), "--name", "resume-tinystories",
                "--json").json().get("id").asText();
        LocalStack.CliResult calibrated = stack.cli("calibrate", "--model", model, "--corpus", corpus, "--samples", "32",
                "--seq-len", "128", "--seed", "7", "--json");
        assertEquals(0, calibrated.exitCode(), calibrated.stderr());
        CompressRequest request = CompressRequest.newBuilder().setModelId(model)
                .setCalibrationSetId(calibrated.json().get("id").asText()).setMethod("gptq")
                .setParameters(CompressionParameters.newBuilder().setBits(3).setTrueSequential(true).setBatchSize(1))
                .build();
        JobsGrpc.JobsBlockingStub jobs = JobsGrpc.newBlockingStub(stack.channel("registry"));

        Job uninterrupted = waitUntilDone(jobs, jobs.submitJob(SubmitJobRequest.newBuilder()
                .setSpec(JobSpec.newBuilder().setCompress(request)).build()).getId());
        assertEquals(JobState.JOB_STATE_SUCCEEDED, uninterrupted.getState(), uninterrupted.getError());

        String id = jobs.submitJob(SubmitJobRequest.newBuilder().setSpec(JobSpec.newBuilder().setCompress(request))
                .build()).getId();
        Job running = jobs.getJob(GetJobRequest.newBuilder().setId(id).build());
        while (running.getCheckpointUri().isEmpty() && running.getState() != JobState.JOB_STATE_SUCCEEDED) {
            Thread.sleep(20);
            running = jobs.getJob(GetJobRequest.newBuilder().setId(id).build());
        }
        JsonNode state = new ObjectMapper().readTree(stack.stateDir().resolve("stack.json").toFile());
        long pid = state.get("services").get("compression").get("pid").asLong();
        ProcessHandle worker = ProcessHandle.of(pid).orElseThrow();
        worker.destroyForcibly();                                                   // the worker dies mid-job
        worker.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);            // and frees its port first
        assertTrue(running.getCheckpointUri().contains("block-"), "killed after a checkpoint: " + running);
        stack.up();                                                                 // a new compression-service

        Job resumed = waitUntilDone(jobs, id);
        assertEquals(JobState.JOB_STATE_SUCCEEDED, resumed.getState(), resumed.getError());
        assertEquals(2, resumed.getAttempts(), "the second worker finished the job");
        assertArrayEquals(Files.readAllBytes(weights(stack, uninterrupted)), Files.readAllBytes(weights(stack, resumed)));
    }

    private static Job waitUntilDone(JobsGrpc.JobsBlockingStub jobs, String id) throws InterruptedException {
        long deadline = System.nanoTime() + 300_000_000_000L;
        Job job = jobs.getJob(GetJobRequest.newBuilder().setId(id).build());
        while ((job.getState() == JobState.JOB_STATE_PENDING || job.getState() == JobState.JOB_STATE_RUNNING)
                && System.nanoTime() < deadline) {
            Thread.sleep(500);
            job = jobs.getJob(GetJobRequest.newBuilder().setId(id).build());
        }
        return job;
    }

    private static Path weights(LocalStack stack, Job job) {
        String uri = RegistryGrpc.newBlockingStub(stack.channel("registry"))
                .getModel(GetModelRequest.newBuilder().setId(job.getResultIds(0)).build()).getArtifactUri();
        return Path.of(URI.create(uri)).resolve("model.safetensors");
    }
}
