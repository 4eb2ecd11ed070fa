package dev.calibra.e2e.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.calibra.e2e.LocalStack;
import dev.calibra.proto.v1.CompressRequest;
import dev.calibra.proto.v1.CompressionParameters;
import dev.calibra.proto.v1.Job;
import dev.calibra.proto.v1.JobSpec;
import dev.calibra.proto.v1.JobState;
import dev.calibra.proto.v1.SampleCalibrationSetRequest;
import dev.calibra.proto.v1.SubmitJobRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The artifact store full (a 64 KiB tmpfs: a real "No space left on device") or read-only (a read-only
 * tmpfs: "Read-only file system"), mounted over the store's scratch folder {@code .tmp}, where every
 * artifact is written before it is renamed into place. Jobs then fail with the operating system's reason,
 * leave no partial artifact and register nothing; once the mount is gone the same services succeed.
 *
 * <p>Runs on the shared stack (nothing is killed). Chmod cannot make a folder unwritable for root, so this
 * needs mount(8) with root privileges (CI runs as root); without them the tests are skipped, saying so.
 */
class ArtifactStoreFaultIT {

    private static LocalStack stack;
    private static String model;
    private static String corpus;

    @BeforeAll
    static void modelAndCorpus() {
        stack = LocalStack.shared();
        model = Faults.registerStories(stack, "store-stories");
        corpus = Faults.addCorpus(stack, "store-tinystories", Faults.TINYSTORIES);
    }

    @Test
    void storeFull_compressJobFailsWithNoSpaceLeft_leavesNoPartialArtifact_andSucceedsOnceThereIsRoom() throws Exception {
        String set = Faults.drawSet(stack, model, corpus, 16, 128, 21);
        SubmitJobRequest compress = SubmitJobRequest.newBuilder().setMaxAttempts(2).setSpec(JobSpec.newBuilder()
                .setCompress(CompressRequest.newBuilder().setModelId(model).setCalibrationSetId(set).setMethod("gptq")
                        .setParameters(CompressionParameters.newBuilder().setBits(4)))).build();
        Job failed;
        try (Mount full = Mount.tmpfs(scratch(), "size=64k")) {
            failed = Faults.awaitFinished(stack, Faults.jobs(stack).submitJob(compress).getId(), Duration.ofMinutes(3));
            assertEquals(List.of(), full.contents(), "no partial artifact in the store's scratch folder");
        }
        assertEquals(JobState.JOB_STATE_FAILED, failed.getState(), failed.toString());
        assertTrue(failed.getError().contains("No space left on device"), "the job says why: " + failed.getError());
        assertEquals(2, failed.getAttempts(), "retried once, then failed for good");
        assertNothingStoredFor(failed);

        // Room again: the same services, unchanged, compress and register the model.
        Job done = Faults.awaitFinished(stack, Faults.jobs(stack).submitJob(compress).getId(), Duration.ofMinutes(3));
        assertEquals(JobState.JOB_STATE_SUCCEEDED, done.getState(), done.toString());
        Faults.assertRegisteredOnce(stack, done);
    }

    @Test
    void storeReadOnly_calibrateJobFailsWithReadOnlyFileSystem_registersNothing() throws Exception {
        // A seed of its own: an identical set already stored would not be written again.
        SubmitJobRequest calibrate = SubmitJobRequest.newBuilder().setMaxAttempts(1).setSpec(JobSpec.newBuilder()
                .setCalibrate(SampleCalibrationSetRequest.newBuilder()
                        .setSpec(Faults.randomWindow(model, corpus, 8, 64, System.nanoTime() % 1_000_000_000L)))).build();
        Job failed;
        try (Mount readOnly = Mount.tmpfs(scratch(), "ro,size=64k")) {
            failed = Faults.awaitFinished(stack, Faults.jobs(stack).submitJob(calibrate).getId(), Duration.ofMinutes(2));
        }
        assertEquals(JobState.JOB_STATE_FAILED, failed.getState(), failed.toString());
        assertTrue(failed.getError().contains("Read-only file system"), "the job says why: " + failed.getError());
        assertNothingStoredFor(failed);
    }

    private static void assertNothingStoredFor(Job job) {
        assertEquals(List.of(), Faults.modelsProducedBy(stack, job.getId()), "no model registered by " + job.getId());
        assertEquals(List.of(), Faults.setsProducedBy(stack, job.getId()), "no calibration set registered by " + job.getId());
        assertTrue(Faults.entries(stack, "models").stream().noneMatch(folder -> folder.getFileName().toString()
                .startsWith(job.getId())), "no model folder of any attempt");
        assertTrue(Files.notExists(Faults.teamArtifacts(stack).resolve("checkpoints").resolve(job.getId())),
                "no checkpoints of a job that failed for good");
        Faults.assertNoUnregisteredModelFolders(stack);
    }

    private static Path scratch() {
        return Faults.artifacts(stack).resolve(".tmp");
    }

    /** A tmpfs mounted over a folder for the duration of a test; unmounted on close. */
    private record Mount(Path folder) implements AutoCloseable {

        static Mount tmpfs(Path folder, String options) throws IOException, InterruptedException {
            Files.createDirectories(folder);
            String output = run("mount", "-t", "tmpfs", "-o", options, "calibra-fault", folder.toString());
            assumeTrue(output == null, "cannot mount a tmpfs (needs root / CAP_SYS_ADMIN), so the store cannot be "
                    + "made full or read-only for this test: " + output);
            return new Mount(folder);
        }

        List<Path> contents() throws IOException {
            try (Stream<Path> list = Files.list(folder)) {
                return list.toList();
            }
        }

        @Override
        public void close() throws IOException, InterruptedException {
            String output = run("umount", folder.toString());
            if (output != null) {
                throw new IllegalStateException("umount " + folder + " failed: " + output);
            }
        }

        /** Runs a command; null when it exits 0, else what it printed. */
        private static String run(String... command) throws InterruptedException {
            Process process;
            try {
                process = new ProcessBuilder(command).redirectErrorStream(true).start();
            } catch (IOException notInstalled) {
                return String.join(" ", command) + ": " + notInstalled.getMessage();
            }
            String output;
            try {
                output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                output = e.getMessage();
            }
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return String.join(" ", command) + " did not finish in 30 s";
            }
            return process.exitValue() == 0 ? null : String.join(" ", command) + " exited " + process.exitValue() + ": " + output;
        }
    }
}
