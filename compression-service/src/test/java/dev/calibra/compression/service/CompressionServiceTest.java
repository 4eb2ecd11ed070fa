package dev.calibra.compression.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.calibra.compression.output.CompressedModelWriter;
import dev.calibra.runtime.registry.RegistryClients;
import dev.calibra.model.safetensors.SafetensorsCheckpoint;
import dev.calibra.model.safetensors.SafetensorsWriter;
import dev.calibra.model.safetensors.TensorInfo;
import dev.calibra.model.tokenizer.TextFiles;
import dev.calibra.model.tokenizer.Tokenizer;
import dev.calibra.proto.v1.CalibrationSet;
import dev.calibra.proto.v1.CompressRequest;
import dev.calibra.proto.v1.CompressResult;
import dev.calibra.proto.v1.CompressionParameters;
import dev.calibra.proto.v1.LayerReport;
import dev.calibra.proto.v1.Model;
import dev.calibra.proto.v1.OutputFormat;
import dev.calibra.rpc.CalibraException;
import dev.calibra.runtime.worker.JobStoppedException;
import java.io.IOException;
import java.nio.file.Files;
import dev.calibra.artifacts.ArtifactStore;
import dev.calibra.artifacts.ArtifactStores;
import dev.calibra.artifacts.LocalS3Server;
import dev.calibra.artifacts.S3StoreConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The service against an in-process registry: validation, lineage, cleanup, resume. */
class CompressionServiceTest {

    static final Path STORIES = Path.of(System.getProperty("calibra.root", ".."), "assets/models/stories260K");

    @TempDir
    Path temp;
    private InProcessRegistry registry;
    private Path artifacts;

    /** Runs act for a team, as queued jobs and keyed calls do: their output goes to that team's store folder. */
    private final io.grpc.Context team = dev.calibra.rpc.auth.CallerCredentials.actingFor("compression-test");
    private io.grpc.Context previous;

    @BeforeEach
    void start() throws IOException {
        previous = team.attach();
        registry = new InProcessRegistry();
        artifacts = temp.resolve("artifacts");
        registry.models.put("base", model("base", STORIES));
        String sha;
        try (Tokenizer tokenizer = Tokenizer.open(STORIES.resolve("tokenizer.json"))) {
            sha = tokenizer.sha256();
            registry.sets.put("cal", calibrationSet("cal", tokenizer, sha));
            registry.sets.put("other-tokenizer", calibrationSet("other-tokenizer", tokenizer, "0".repeat(64)));
        }
    }

    @AfterEach
    void stop() {
        team.detach(previous);
        registry.close();
    }

    private static Model model(String id, Path folder) {
        return Model.newBuilder().setId(id).setName("stories260K-" + id).setArchitecture("LlamaForCausalLM")
                .setParameterCount(294_464).setArtifactUri(folder.toUri().toString()).build();
    }

    /** 8 x 64 TinyStories tokens, as the calibration service writes them. */
    private CalibrationSet calibrationSet(String id, Tokenizer tokenizer, String tokenizerSha) throws IOException {
        String text = TextFiles.read(STORIES.resolve("../../corpora/tinystories_valid_first.txt").normalize());
        int[] stream = tokenizer.encode(text.substring(0, 20_000), false);
        int[] ids = Arrays.copyOf(stream, 8 * 64);
        Path file = temp.resolve(id + ".safetensors");
        new SafetensorsWriter().addI32("input_ids", new long[] {8, 64}, ids).write(file);
        return CalibrationSet.newBuilder().setId(id).setTokenizerSha256(tokenizerSha)
                .setArtifactUri(file.toUri().toString()).build();
    }

    private CompressionService service(long budget) throws IOException {
        return new CompressionService(new RegistryClients(registry.channel), new dev.calibra.artifacts.LocalArtifactStore(artifacts), budget);
    }

    private static CompressRequest.Builder request(String method, CompressionParameters.Builder parameters) {
        return CompressRequest.newBuilder().setModelId("base").setCalibrationSetId("cal").setMethod(method)
                .setParameters(parameters);
    }

    private CalibraException refused(CompressRequest.Builder request) {
        CalibraException e = assertThrows(CalibraException.class,
                () -> service(1L << 33).compress(request.build(), null, new RunObserver() {}));
        assertTrue(registry.registered.isEmpty(), "nothing registered");
        return e;
    }

    private List<Path> storedFiles() throws IOException {
        if (!Files.exists(artifacts)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(artifacts)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }

    @Test
    void compress_unknownMethod_isInvalidArgumentNamingIt() {
        CalibraException e = refused(request("obs", CompressionParameters.newBuilder()));
        assertEquals(CalibraException.Kind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage().contains("'obs'") && e.getMessage().contains("gptq"), e.getMessage());
    }

    @Test
    void compress_fiveBits_isInvalidArgumentNamingBits() {
        CalibraException e = refused(request("gptq", CompressionParameters.newBuilder().setBits(5)));
        assertEquals(CalibraException.Kind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage().startsWith("bits:"), e.getMessage());
    }

    @Test
    void compress_sparsityOutsideZeroOne_isInvalidArgument() {
        CalibraException e = refused(request("wanda", CompressionParameters.newBuilder().setSparsity(1.5)));
        assertTrue(e.getMessage().startsWith("sparsity:") && e.getMessage().contains("1.5"), e.getMessage());
    }

    @Test
    void compress_nNotBelowM_isInvalidArgument() {
        CalibraException e = refused(request("sparsegpt", CompressionParameters.newBuilder().setPruneN(4).setPruneM(4)));
        assertTrue(e.getMessage().startsWith("prune_n:") && e.getMessage().contains("4:4"), e.getMessage());
    }

    @Test
    void compress_targetVllm_refusesWhatVllmCannotServe_byParameterThenByShape_beforeAnyWork() throws IOException {
        CalibraException bits = refused(request("gptq", CompressionParameters.newBuilder().setBits(3)).setTarget("vllm"));
        assertEquals(CalibraException.Kind.INVALID_ARGUMENT, bits.kind());
        assertTrue(bits.getMessage().startsWith("target vllm: bits: vLLM serves 4- and 8-bit GPTQ; got 3"), bits.getMessage());
        CalibraException unknown = refused(request("gptq", CompressionParameters.newBuilder()).setTarget("tgi"));
        assertTrue(unknown.getMessage().startsWith("target: 'tgi' is not a known target; known: vllm"), unknown.getMessage());
        // AWQ in groups of 32 packs stories260K's attention, whose 64-wide inputs Marlin's tiles (128) do not fit
        CalibraException shapes = refused(request("awq", CompressionParameters.newBuilder().setGroupSize(32)).setTarget("vllm"));
        assertTrue(shapes.getMessage().startsWith("target vllm: vllm-awq-marlin would not serve this: self_attn.qkv_proj:"
                + " input size 64 is not a multiple of 128; self_attn.o_proj"), shapes.getMessage());
        assertTrue(storedFiles().isEmpty());
    }

    @Test
    void compress_gptqFormatWith172WideMlp_isInvalidArgumentBeforeAnyWork() throws IOException {
        CalibraException e = refused(request("gptq", CompressionParameters.newBuilder()).setFormat(OutputFormat.OUTPUT_FORMAT_GPTQ));
        assertEquals(CalibraException.Kind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage().contains("mlp.gate_proj [172, 64]"), e.getMessage());
        assertTrue(storedFiles().isEmpty());
    }

    @Test
    void compress_awqFormat_refusesOtherMethods_otherBits_andWidthsItsLayoutCannotHold_beforeAnyWork() throws IOException {
        CalibraException gptq = refused(request("gptq", CompressionParameters.newBuilder()).setFormat(OutputFormat.OUTPUT_FORMAT_AWQ));
        assertTrue(gptq.getMessage().startsWith("format: awq packs the results of awq; gptq is not stored that way"), gptq.getMessage());
        CalibraException bits = refused(request("awq", CompressionParameters.newBuilder().setBits(3))
                .setFormat(OutputFormat.OUTPUT_FORMAT_AWQ));
        assertTrue(bits.getMessage().contains("4-bit weights; bits is 3"), bits.getMessage());
        CalibraException groups = refused(request("awq", CompressionParameters.newBuilder()).setFormat(OutputFormat.OUTPUT_FORMAT_AWQ));
        assertEquals(CalibraException.Kind.INVALID_ARGUMENT, groups.kind());
        assertTrue(groups.getMessage().contains("self_attn.q_proj: group_size 128 does not divide the 64 input columns"),
                groups.getMessage());
        CalibraException spqr = refused(request("spqr", CompressionParameters.newBuilder().setQqScaleBits(9)));
        assertTrue(spqr.getMessage().startsWith("qq_scale_bits:"), spqr.getMessage());
        CalibraException threshold = refused(request("spqr", CompressionParameters.newBuilder().setOutlierThreshold(0)));
        assertTrue(threshold.getMessage().startsWith("outlier_threshold:"), threshold.getMessage());
        CalibraException grid = refused(request("awq", CompressionParameters.newBuilder().setScaleGrid(0)));
        assertTrue(grid.getMessage().startsWith("scale_grid:"), grid.getMessage());
        assertTrue(storedFiles().isEmpty());
    }

    @Test
    void compress_spqrAndAwq_reportAverageBitsOutliersAndAlpha() throws IOException {
        CompressResult spqr = service(1L << 33).compress(request("spqr", CompressionParameters.newBuilder()).build(), null,
                new RunObserver() {});
        assertTrue(spqr.getAverageBits() > 3 && spqr.getAverageBits() < 5, "average bits " + spqr.getAverageBits());
        assertTrue(spqr.getOutlierFraction() > 0, "outliers " + spqr.getOutlierFraction());
        spqr.getLayersList().forEach(layer -> assertTrue(layer.getAverageBits() > 3 && !layer.getPacked(), layer.toString()));
        Path folder = Path.of(java.net.URI.create(spqr.getModel().getArtifactUri()));
        assertTrue(Files.exists(dev.calibra.model.spqr.SpqrFile.path(folder)), "the compact form beside the model");

        CompressResult awq = service(1L << 33).compress(request("awq", CompressionParameters.newBuilder().setGroupSize(32))
                .build(), null, new RunObserver() {});
        assertEquals("awq-int4", awq.getModel().getDtype());
        assertEquals(4 + 20.0 / 32, awq.getAverageBits(), 1e-9);
        LayerReport q = awq.getLayers(0);
        assertTrue(q.getPacked() && q.hasScaleAlpha(), q.toString());
        LayerReport o = awq.getLayers(3);
        assertEquals("self_attn.o_proj", o.getLinear());
        assertFalse(o.hasScaleAlpha(), "v_proj -> o_proj is not scaled under grouped-query attention");
        assertEquals("awq", registry.registered.get(1).getCompression().getMethod());
        assertEquals("20", registry.registered.get(1).getCompression().getParametersMap().get("scale_grid"));
    }

    @Test
    void compress_calibrationSetOfAnotherTokenizer_isFailedPrecondition() {
        CalibraException e = refused(request("gptq", CompressionParameters.newBuilder()).setCalibrationSetId("other-tokenizer"));
        assertEquals(CalibraException.Kind.FAILED_PRECONDITION, e.kind());
        assertTrue(e.getMessage().contains("tokenizer"), e.getMessage());
    }

    @Test
    void compress_overMemoryBudget_isResourceExhaustedNamingWhatToLower() {
        CalibraException e = assertThrows(CalibraException.class, () -> service(100_000).compress(
                request("gptq", CompressionParameters.newBuilder()).build(), null, new RunObserver() {}));
        assertEquals(CalibraException.Kind.RESOURCE_EXHAUSTED, e.kind());
        assertTrue(e.getMessage().contains("n_samples") || e.getMessage().contains("batch_size"), e.getMessage());
        assertTrue(registry.registered.isEmpty());
    }

    /** A copy of stories260K registered as {@code id}, with {@code edit} applied to each tensor's values. */
    private void registerEditedModel(String id, java.util.function.BiConsumer<String, float[]> edit) throws IOException {
        Path edited = temp.resolve(id);
        Files.createDirectories(edited);
        for (String file : List.of("config.json", "tokenizer.json", "tokenizer_config.json")) {
            Files.write(edited.resolve(file), Files.readAllBytes(STORIES.resolve(file)));
        }
        try (SafetensorsCheckpoint base = SafetensorsCheckpoint.open(STORIES)) {
            SafetensorsWriter writer = new SafetensorsWriter();
            for (String name : base.tensorNames()) {
                TensorInfo info = base.info(name);
                float[] values = base.readFloats(name);
                edit.accept(name, values);
                writer.addF32(name, info.shape(), values);
            }
            writer.write(edited.resolve("model.safetensors"));
        }
        registry.models.put(id, model(id, edited));
    }

    @Test
    void compress_nanInWeights_isInvalidArgumentNamingTheWeight_andLeavesNothing() throws IOException {
        registerEditedModel("broken", (name, values) -> {
            if (name.equals("model.layers.1.self_attn.k_proj.weight")) {
                values[70] = Float.NaN;
            }
        });
        CalibraException e = refused(request("rtn", CompressionParameters.newBuilder()).setModelId("broken"));
        assertEquals(CalibraException.Kind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage().contains("block 1 k_proj [1, 6] is NaN"), e.getMessage());
        assertTrue(storedFiles().isEmpty(), "no artifact left: " + storedFiles());
    }

    @Test
    void compress_hessianThatOverflows_isFailedPreconditionNamingTheLinear_andLeavesNothing() throws IOException {
        // gate and up scaled by 1e12 make down_proj's inputs ~1e24, so X^T X overflows float32 to infinity:
        // no dampening makes that positive definite
        registerEditedModel("overflowing", (name, values) -> {
            if (name.startsWith("model.layers.0.mlp.gate_proj") || name.startsWith("model.layers.0.mlp.up_proj")) {
                for (int k = 0; k < values.length; k++) {
                    values[k] *= 1e12f;
                }
            }
        });
        CalibraException e = refused(request("gptq", CompressionParameters.newBuilder()).setModelId("overflowing"));
        assertEquals(CalibraException.Kind.FAILED_PRECONDITION, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains("block 0 down_proj") && e.getMessage().contains("positive definite"),
                e.getMessage());
        assertTrue(storedFiles().isEmpty(), "no artifact left: " + storedFiles());
    }

    @Test
    void compress_sparsegpt2of4_registersLineage_writesReportWithPhaseTimes_andRemovesCheckpoints() throws IOException {
        List<Double> fractions = new ArrayList<>();
        List<String> checkpoints = new ArrayList<>();
        CompressResult result = service(1L << 33).compress(request("sparsegpt",
                CompressionParameters.newBuilder().setPruneN(2).setPruneM(4)).build(), "job-1", new RunObserver() {
                    @Override
                    public void progress(dev.calibra.proto.v1.Progress progress) {
                        fractions.add(progress.getFraction());
                    }

                    @Override
                    public void checkpoint(String uri) {
                        checkpoints.add(uri);
                    }
                });
        assertEquals(1, registry.registered.size());
        var registered = registry.registered.get(0);
        assertEquals("base", registered.getParentModelId());
        assertEquals("job-1", registered.getProducingJobId());
        assertEquals("sparsegpt", registered.getCompression().getMethod());
        assertEquals("2:4", registered.getCompression().getParametersMap().get("pattern"));
        assertEquals("cal", registered.getCompression().getCalibrationSetId());
        assertEquals(35, result.getLayersCount());
        result.getLayersList().forEach(layer -> assertEquals(0.5, layer.getSparsity(), 1e-9));
        assertEquals(1.0, fractions.get(fractions.size() - 1), 1e-9);
        assertEquals(5, checkpoints.size());
        Path folder = Path.of(java.net.URI.create(registered.getArtifactUri()));
        assertTrue(Files.exists(folder.resolve(CompressedModelWriter.REPORT_FILE)));
        var phases = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(folder.resolve(CompressedModelWriter.REPORT_FILE).toFile()).path("phase_seconds");
        for (String phase : List.of("verify", "calibration_set", "load", "capture", "statistics", "compress", "forward",
                "checkpoint")) {
            assertTrue(phases.path(phase).asDouble(-1) > 0, phase + " is timed: " + phases);
        }
        assertFalse(Files.exists(artifacts.resolve("teams/compression-test/checkpoints/job-1")), "checkpoints removed after success");
    }

    @Test
    void compress_jobResumedAfterItsWorkerDied_writesTheSameWeightsAsAnUninterruptedRun() throws IOException {
        CompressRequest gptq = request("gptq", CompressionParameters.newBuilder().setBits(3).setGroupSize(32)).build();
        CompressResult uninterrupted = service(1L << 33).compress(gptq, "job-a", new RunObserver() {});

        String[] lastCheckpoint = {""};
        assertThrows(IllegalStateException.class, () -> service(1L << 33).compress(gptq, "job-b", new RunObserver() {
            @Override
            public void checkpoint(String uri) {
                lastCheckpoint[0] = uri;
                if (uri.endsWith("block-00001.safetensors")) {
                    throw new IllegalStateException("worker died");        // a retryable failure keeps the checkpoint
                }
            }

            @Override
            public boolean retriesLeft() {
                return true;
            }
        }));
        assertTrue(registry.registered.size() == 1);
        assertTrue(Files.exists(artifacts.resolve("teams/compression-test/checkpoints/job-b/block-00001.safetensors")), "kept for attempt 2");
        CompressResult resumed = service(1L << 33).compress(gptq, "job-b", new RunObserver() {
            @Override
            public String resumeFrom() {
                return lastCheckpoint[0];
            }
        });
        Path a = Path.of(java.net.URI.create(uninterrupted.getModel().getArtifactUri())).resolve("model.safetensors");
        Path b = Path.of(java.net.URI.create(resumed.getModel().getArtifactUri())).resolve("model.safetensors");
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        assertFalse(Files.exists(artifacts.resolve("teams/compression-test/checkpoints/job-b")));
    }

    @Test
    void compress_onAnObjectStore_resumesOnAnotherWorkerFromTheBucket_toTheSameWeights() throws Exception {
        CompressRequest gptq = request("gptq", CompressionParameters.newBuilder().setBits(3).setGroupSize(32)).build();
        CompressResult uninterrupted = service(1L << 33).compress(gptq, "job-a", new RunObserver() {});
        try (LocalS3Server server = new LocalS3Server(temp.resolve("s3"))) {
            Map<String, String> env = Map.of("AWS_ENDPOINT_URL_S3", server.endpoint().toString(), "AWS_REGION", "us-east-1",
                    "AWS_ACCESS_KEY_ID", LocalS3Server.ACCESS_KEY_ID, "AWS_SECRET_ACCESS_KEY", LocalS3Server.SECRET_ACCESS_KEY);
            String location = "s3://workers/store";
            // the bucket is the operator's, made once outside Calibra
            try (var admin = S3StoreConfig.fromEnvironment(java.net.URI.create(location), env, temp.resolve("admin")).newClient()) {
                admin.createBucket(b -> b.bucket("workers"));
            }
            String[] lastCheckpoint = {""};
            try (ArtifactStore first = ArtifactStores.open(location, env, temp.resolve("worker-1-cache"))) {
                assertThrows(IllegalStateException.class, () -> new CompressionService(new RegistryClients(registry.channel),
                        first, 1L << 33).compress(gptq, "job-s3", new RunObserver() {
                            @Override
                            public void checkpoint(String uri) {
                                lastCheckpoint[0] = uri;
                                if (uri.endsWith("block-00001.safetensors")) {
                                    throw new IllegalStateException("worker died");
                                }
                            }

                            @Override
                            public boolean retriesLeft() {
                                return true;
                            }
                        }));
            }
            assertTrue(lastCheckpoint[0].startsWith(location + "/teams/compression-test/checkpoints/job-s3/"), lastCheckpoint[0]);
            try (ArtifactStore second = ArtifactStores.open(location, env, temp.resolve("worker-2-cache"))) {
                CompressResult resumed = new CompressionService(new RegistryClients(registry.channel), second, 1L << 33)
                        .compress(gptq, "job-s3", new RunObserver() {
                            @Override
                            public String resumeFrom() {
                                return lastCheckpoint[0];
                            }
                        });
                String uri = resumed.getModel().getArtifactUri();
                assertTrue(uri.startsWith(location + "/teams/compression-test/models/job-s3"), uri);
                Path a = Path.of(java.net.URI.create(uninterrupted.getModel().getArtifactUri())).resolve("model.safetensors");
                try (ArtifactStore reader = ArtifactStores.open(location, env, temp.resolve("reader-cache"))) {
                    Path b = reader.resolve(java.net.URI.create(uri)).resolve("model.safetensors");
                    assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), "resumed from the bucket, same weights");
                    assertEquals(List.of(), reader.listKeys("teams/compression-test/checkpoints"), "checkpoints removed");
                }
            }
        }
    }

    /**
     * A job attempt that stops with {@code failure} once block 1's checkpoint is written, or fails with it
     * (thrown from {@code checkpoint}) when {@code fromCheckpoint}; {@code retriesLeft} as the queue says.
     */
    private void failJobAfterBlock1(String jobId, RuntimeException failure, boolean fromCheckpoint, boolean retriesLeft) {
        boolean[] written = {false};
        RuntimeException thrown = assertThrows(RuntimeException.class, () -> service(1L << 33).compress(
                request("rtn", CompressionParameters.newBuilder().setBits(4)).build(), jobId, new RunObserver() {
                    @Override
                    public void checkpoint(String uri) {
                        written[0] |= uri.endsWith("block-00001.safetensors");
                        if (written[0] && fromCheckpoint) {
                            throw failure;
                        }
                    }

                    @Override
                    public void checkStop() {
                        if (written[0]) {
                            throw failure;
                        }
                    }

                    @Override
                    public boolean retriesLeft() {
                        return retriesLeft;
                    }
                }));
        assertEquals(failure, thrown);
        assertTrue(registry.registered.isEmpty(), "nothing registered");
        assertFalse(Files.exists(artifacts.resolve("teams/compression-test/models/" + jobId)), "no partial output");
    }

    /** Attempt {@code attempt} of job {@code jobId} as worker "w1" would run it, resuming from {@code resume}. */
    private static RunObserver claimed(int attempt, String resume, String[] lastCheckpoint) {
        return new RunObserver() {
            @Override
            public String workerId() {
                return "w1";
            }

            @Override
            public int attempt() {
                return attempt;
            }

            @Override
            public String resumeFrom() {
                return resume;
            }

            @Override
            public void checkpoint(String uri) {
                lastCheckpoint[0] = uri;
            }
        };
    }

    @Test
    void compress_attemptThatLostTheJob_registersNothing_andLeavesTheCheckpointsToTheNewAttempt() throws IOException {
        CompressRequest rtn = request("rtn", CompressionParameters.newBuilder().setBits(4)).build();
        registry.refuseClaims = true;                         // attempt 2 took the job while attempt 1 worked
        String[] lastCheckpoint = {""};
        JobStoppedException stopped = assertThrows(JobStoppedException.class,
                () -> service(1L << 33).compress(rtn, "job-stale", claimed(1, "", lastCheckpoint)));
        assertTrue(stopped.leaseLost(), stopped.getMessage());
        assertTrue(registry.registered.isEmpty(), "nothing registered");
        assertFalse(Files.exists(artifacts.resolve("teams/compression-test/models/job-stale-a1")), "its own output removed");
        assertTrue(Files.exists(artifacts.resolve("teams/compression-test/checkpoints/job-stale")), "the checkpoints stay for attempt 2");

        registry.refuseClaims = false;
        CompressResult second = service(1L << 33).compress(rtn, "job-stale", claimed(2, lastCheckpoint[0], lastCheckpoint));
        assertEquals(1, registry.registered.size());
        assertEquals("w1", registry.registered.get(0).getProducingWorkerId());
        assertEquals(2, registry.registered.get(0).getProducingAttempt());
        assertTrue(second.getModel().getArtifactUri().contains("teams/compression-test/models/job-stale-a2"), second.getModel().getArtifactUri());
        assertFalse(Files.exists(artifacts.resolve("teams/compression-test/checkpoints/job-stale")));
    }

    @Test
    void compress_outputAnEarlierAttemptRegistered_isReturnedWithoutCompressingAgain() throws IOException {
        CompressRequest rtn = request("rtn", CompressionParameters.newBuilder().setBits(4)).build();
        CompressResult first = service(1L << 33).compress(rtn, "job-twice", claimed(1, "", new String[1]));
        // attempt 1 registered its model, then lost the job before completing it; attempt 2 finds the model
        registry.models.put(first.getModel().getName(), first.getModel());
        CompressResult second = service(1L << 33).compress(rtn, "job-twice", claimed(2, "", new String[1]));
        assertEquals(first.getModel().getId(), second.getModel().getId());
        assertEquals(1, registry.registered.size(), "registered once");
        assertFalse(Files.exists(artifacts.resolve("teams/compression-test/models/job-twice-a2")), "no second output written");
    }

    @Test
    void compress_retryableFailureOnTheLastAttempt_removesTheCheckpoints() {
        failJobAfterBlock1("job-last", new IllegalStateException("disk full"), true, false);
        assertFalse(Files.exists(artifacts.resolve("teams/compression-test/checkpoints/job-last")), "no attempt will resume from them");
    }

    @Test
    void compress_nonRetryableFailureWithAttemptsLeft_removesTheCheckpoints() {
        failJobAfterBlock1("job-bad", CalibraException.invalidArgument("bad"), true, true);
        assertFalse(Files.exists(artifacts.resolve("teams/compression-test/checkpoints/job-bad")));
    }

    @Test
    void compress_cancelledWithAttemptsLeft_removesTheCheckpoints() {
        failJobAfterBlock1("job-cancelled", new JobStoppedException("cancelled"), false, true);
        assertFalse(Files.exists(artifacts.resolve("teams/compression-test/checkpoints/job-cancelled")));
    }

    @Test
    void compress_leaseLostOnTheLastAttempt_keepsTheCheckpointsForTheNewOwner() {
        failJobAfterBlock1("job-lost", new JobStoppedException("lease lost", true), false, false);
        assertTrue(Files.exists(artifacts.resolve("teams/compression-test/checkpoints/job-lost/block-00001.safetensors")));
    }
}
