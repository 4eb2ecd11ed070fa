package dev.calibra.compression.service;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.calibra.artifacts.ArtifactStore;
import dev.calibra.runtime.artifacts.ArtifactReads;
import dev.calibra.artifacts.VerifiedContent;
import dev.calibra.artifacts.StoreLayout;
import dev.calibra.artifacts.StoredArtifact;
import dev.calibra.compression.driver.BlockWeights;
import dev.calibra.compression.driver.DriverListener;
import dev.calibra.compression.driver.LayerResult;
import dev.calibra.compression.driver.MemoryEstimate;
import dev.calibra.compression.driver.ResumeState;
import dev.calibra.compression.driver.SequentialDriver;
import dev.calibra.compression.method.AwqLayer;
import dev.calibra.compression.method.CompressedLayer;
import dev.calibra.compression.method.PrunedLayer;
import dev.calibra.compression.method.QuantizedLayer;
import dev.calibra.compression.method.SpqrLayer;
import dev.calibra.compression.output.BlockCheckpoint;
import dev.calibra.compression.output.CompressedModelWriter;
import dev.calibra.compression.output.OutputDtype;
import dev.calibra.model.serving.LoaderVerdict;
import dev.calibra.compression.output.StorageFormat;
import dev.calibra.runtime.registry.RegistryClients;
import dev.calibra.compression.spec.AwqSpec;
import dev.calibra.compression.spec.MethodSpec;
import dev.calibra.model.CausalLm;
import dev.calibra.model.Devices;
import dev.calibra.model.ModelFolder;
import dev.calibra.model.ModelFormatException;
import dev.calibra.model.ModelPreconditionException;
import dev.calibra.model.decoder.DecoderSpec;
import dev.calibra.model.tokenizer.Tokenizer;
import dev.calibra.proto.v1.CalibrationSet;
import dev.calibra.proto.v1.CompressRequest;
import dev.calibra.proto.v1.CompressResult;
import dev.calibra.proto.v1.CompressionLineage;
import dev.calibra.proto.v1.GetCalibrationSetRequest;
import dev.calibra.proto.v1.GetModelRequest;
import dev.calibra.proto.v1.LayerReport;
import dev.calibra.proto.v1.Model;
import dev.calibra.proto.v1.Progress;
import dev.calibra.proto.v1.RegisterModelRequest;
import dev.calibra.rpc.CalibraException;
import dev.calibra.rpc.auth.CallerCredentials;
import dev.calibra.runtime.worker.JobStoppedException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * One compression run, for a direct Compress call or a COMPRESS job: look up the model and calibration
 * set, check everything that can be checked before work starts (parameters, tokenizer, memory budget,
 * packability), run the sequential driver with a checkpoint after each block, write the folder to the
 * artifact store and register it with its lineage. A run that fails or is cancelled registers nothing and
 * removes what it wrote, checkpoints included, with two exceptions: a job attempt that fails for a retryable
 * reason while the queue has attempts left keeps its checkpoint for the next attempt, and a worker that lost
 * the job's lease leaves the checkpoints alone (the worker that holds the job now may be resuming from them).
 * Each job attempt writes its output to its own folder and registers it under its claim, which the registry
 * refuses once another attempt holds the job; a new attempt finds an output an earlier one registered
 * before losing the job, and returns it instead of compressing again.
 */
@ApplicationScoped
public class CompressionService {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = Logger.getLogger(CompressionService.class.getName());

    private final RegistryClients clients;
    private final ArtifactStore store;
    private final long memoryBudgetBytes;

    public CompressionService(RegistryClients clients, ArtifactStore store,
            @ConfigProperty(name = "calibra.compression.memory-budget-bytes", defaultValue = "8589934592") long budget) {
        this.clients = clients;
        this.store = store;
        this.memoryBudgetBytes = budget;
    }

    /** @param jobId the producing job, or null for a direct call */
    public CompressResult compress(CompressRequest request, String jobId, RunObserver observer) throws IOException {
        long start = System.nanoTime();
        MethodSpec spec = CompressionRequests.spec(request);
        StorageFormat format = CompressionRequests.format(request, spec);
        OutputDtype dtype = CompressionRequests.dtype(request);
        Device device = Devices.choose(CompressionRequests.preferGpu(request));
        if (request.getModelId().isEmpty()) {
            throw CalibraException.invalidArgument("model_id: required");
        }
        if (request.getCalibrationSetId().isEmpty() && spec.needsCalibration()) {
            throw CalibraException.invalidArgument("calibration_set_id: " + spec.name() + " needs a calibration set");
        }
        Model base;
        CalibrationSet set;
        try {
            base = clients.registry().getModel(GetModelRequest.newBuilder().setId(request.getModelId()).build());
            set = request.getCalibrationSetId().isEmpty() ? null
                    : clients.registry().getCalibrationSet(GetCalibrationSetRequest.newBuilder()
                            .setId(request.getCalibrationSetId()).build());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {     // a bad id fails for good, not retried
                throw CalibraException.notFound(e.getStatus().getDescription());
            }
            throw e;
        }
        String runId = jobId != null && !jobId.isEmpty() ? jobId : "cmp-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        // the caller's team (a job's team for queued work) owns what this run writes: teams/<team>/...
        String team = CallerCredentials.currentTeam();
        if (team.isEmpty()) {
            throw CalibraException.failedPrecondition("the caller's team is unknown, so the run has no folder in the artifact store");
        }
        String checkpointPrefix = StoreLayout.checkpoints(team, runId);
        // Each attempt writes its own folder: one that lost its lease may still be writing while the next runs.
        String outputKey = StoreLayout.model(team, runId + (observer.attempt() > 0 ? "-a" + observer.attempt() : ""));
        String outputName = request.getOutputName().isEmpty() ? base.getName() + "-" + spec.shortName() + "-" + runId
                : request.getOutputName();
        // only a later attempt can find its job's output registered: the first makes no extra registry call
        Optional<Model> done = jobId == null || observer.attempt() <= 1 ? Optional.empty()
                : registeredBy(jobId, outputName);
        if (done.isPresent()) {
            // An earlier attempt registered the output, then lost the job before completing it.
            store.delete(checkpointPrefix);
            return CompressResult.newBuilder().setModel(done.get()).setElapsedSeconds((System.nanoTime() - start) / 1e9)
                    .build();
        }
        for (int attempt = 1; attempt < observer.attempt(); attempt++) {
            store.delete(StoreLayout.model(team, runId + "-a" + attempt));     // unregistered (checked above): a dead attempt's
        }
        boolean keepCheckpoint = false;
        boolean registered = false;
        boolean leaseLost = false;
        RunPhases phases = new RunPhases();
        long verifyStart = System.nanoTime();
        try (ModelFolder folder = ModelFolder.open(VerifiedContent.require(
                ArtifactReads.localPath(store, base.getArtifactUri(), "model " + base.getId()), base.getSha256(),
                "model " + base.getId(), CalibraException::dataLoss))) {
            phases.addNanos("verify", System.nanoTime() - verifyStart);
            DecoderSpec decoder = folder.config().decoder();
            long calibrationStart = System.nanoTime();
            int[][] samples = set == null ? null : samples(set, folder);
            phases.addNanos("calibration_set", System.nanoTime() - calibrationStart);
            if (format == StorageFormat.GPTQ && !CompressedModelWriter.unpackableShapes(folder).isEmpty()) {
                throw CalibraException.invalidArgument("format: gptq cannot pack " + CompressedModelWriter.unpackableShapes(folder)
                        + " (GPTQ packs 32 values at a time; both dimensions must be multiples of 32); use format auto or dense");
            }
            if (format == StorageFormat.AWQ && !CompressedModelWriter.unpackableByAwq(folder, (AwqSpec) spec).isEmpty()) {
                throw CalibraException.invalidArgument("format: awq cannot pack "
                        + String.join("; ", CompressedModelWriter.unpackableByAwq(folder, (AwqSpec) spec))
                        + "; use format auto (packs what it can) or dense");
            }
            if (!request.getTarget().isBlank()) {
                try {
                    CompressedModelWriter.requireServable(folder, spec, format, request.getTarget());
                } catch (IllegalArgumentException e) {
                    throw CalibraException.invalidArgument(e.getMessage());
                }
            }
            if (samples != null) {
                MemoryEstimate.of(decoder, samples.length, samples[0].length, spec).requireWithin(memoryBudgetBytes);
            }
            ResumeState resume = resume(observer.resumeFrom(), checkpointPrefix);
            // Checkpoints past the resume point were written by an attempt whose heartbeats never reached the
            // registry (it was away when they were due): those blocks are redone now and their files rewritten.
            for (int block = resume.blocks(); block < decoder.dims().layers(); block++) {
                store.delete(checkpointPrefix + "/" + BlockCheckpoint.fileName(block));
            }
            List<LayerResult> results;
            long loadStart = System.nanoTime();
            try (CausalLm model = folder.load(device)) {
                phases.addNanos("load", System.nanoTime() - loadStart);
                SequentialDriver driver = new SequentialDriver(model, spec, listener(observer, checkpointPrefix, decoder,
                        resume.results().size(), start, phases));
                results = driver.run(samples, resume);
                phases.addDriver(driver.timings());
            }
            ObjectNode report = report(request, spec, decoder, base, set, samples, device, results, start);
            phases.putInto(report);
            CompressedModelWriter.Written[] writtenBy = new CompressedModelWriter.Written[1];
            // the driver released each block's weights once its checkpoint was written: read them back from there
            BlockWeights checkpoints = BlockCheckpoint.readingFrom(store.localFolder(checkpointPrefix));
            long writeStart = System.nanoTime();
            StoredArtifact output = store.putFolder(outputKey, out -> writtenBy[0] = CompressedModelWriter.write(folder,
                    spec, results, checkpoints, format, dtype, report, out));
            phases.addNanos("write", System.nanoTime() - writeStart);
            CompressedModelWriter.Written written = writtenBy[0];
            observer.checkStop();                                     // a cancelled job registers nothing
            long registerStart = System.nanoTime();
            Model model = register(RegisterModelRequest.newBuilder()
                    .setName(outputName)
                    .setArtifactUri(output.uri().toString()).setSha256(output.sha256())
                    .setArchitecture(base.getArchitecture()).setParameterCount(base.getParameterCount())
                    .setDtype(written.dtype()).setParentModelId(base.getId())
                    .setProducingJobId(jobId == null ? "" : jobId)
                    .setProducingWorkerId(observer.workerId()).setProducingAttempt(observer.attempt())
                    .setCompression(CompressionLineage.newBuilder().setMethod(spec.name())
                            .putAllParameters(spec.parameters()).setCalibrationSetId(set == null ? "" : set.getId()))
                    .setDescription("compressed by calibra compression-service (" + spec.reference() + ")")
                    .addAllTags(written.servability().stream().filter(LoaderVerdict::servable)
                            .map(verdict -> "served-by:" + verdict.loader()).toList())
                    .build(), observer);
            registered = true;
            phases.addNanos("register", System.nanoTime() - registerStart);
            LOG.info(() -> String.format(java.util.Locale.ROOT, "compression %s (%s, %s): %.2f s: %s", runId, spec.name(),
                    base.getName(), (System.nanoTime() - start) / 1e9, phases));
            CompressResult.Builder result = CompressResult.newBuilder().setModel(model)
                    .setElapsedSeconds((System.nanoTime() - start) / 1e9).setOutlierFraction(outlierFraction(results));
            if (spec.quantization()) {
                result.setAverageBits(averageBits(results));
            }
            results.forEach(r -> result.addLayers(layerReport(r, decoder, written.packedLinears()
                    .contains(moduleInBlock(decoder, r.linear())))));
            written.servability().forEach(verdict -> result.addServability(dev.calibra.proto.v1.LoaderVerdict.newBuilder()
                    .setLoader(verdict.loader()).setServable(verdict.servable()).addAllBlockers(verdict.blockers())
                    .addAllNotes(verdict.notes())));
            return result.build();
        } catch (ModelFormatException e) {
            throw CalibraException.invalidArgument(e.getMessage());
        } catch (ModelPreconditionException e) {
            throw CalibraException.failedPrecondition(e.getMessage());
        } catch (RuntimeException | IOException e) {
            // A lost lease is not ours to clean up: the worker that holds the job now resumes from these files.
            leaseLost = e instanceof JobStoppedException stopped && stopped.leaseLost();
            // Otherwise the checkpoint serves only the attempt the queue makes after a retryable failure.
            keepCheckpoint = leaseLost || jobId != null && retryable(e) && observer.retriesLeft();
            throw e;
        } finally {
            if (!registered) {
                store.delete(outputKey);                              // this attempt's own folder only
            }
            if (!keepCheckpoint) {
                store.delete(checkpointPrefix);
            }
        }
    }

    /**
     * The queue's rule ({@link dev.calibra.runtime.worker.JobWorker}): bad input ({@link CalibraException} other than
     * UNAVAILABLE, {@link IllegalArgumentException}) fails for good, a stop is not a failure, anything else is retried.
     */
    /** The model this job already registered under {@code name}, if an earlier attempt got that far. */
    private Optional<Model> registeredBy(String jobId, String name) {
        try {
            Model model = clients.registry().getModel(GetModelRequest.newBuilder().setId(name).build());
            return jobId.equals(model.getProducingJobId()) ? Optional.of(model) : Optional.empty();
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Registers; a refusal of this claim (another attempt holds the job now) stops the run as a lost lease. */
    private Model register(RegisterModelRequest request, RunObserver observer) {
        try {
            return clients.registry().registerModel(request);
        } catch (StatusRuntimeException e) {
            if (!observer.workerId().isEmpty() && e.getStatus().getCode() == Status.Code.FAILED_PRECONDITION) {
                throw new JobStoppedException("the registry refused this attempt's output: "
                        + e.getStatus().getDescription(), true);
            }
            throw e;
        }
    }

    static boolean retryable(Exception e) {
        if (e instanceof CalibraException calibra) {
            return calibra.kind() == CalibraException.Kind.UNAVAILABLE;
        }
        return !(e instanceof JobStoppedException) && !(e instanceof IllegalArgumentException);
    }


    private int[][] samples(CalibrationSet set, ModelFolder folder) throws IOException {
        try (Tokenizer tokenizer = folder.openTokenizer()) {
            if (!set.getTokenizerSha256().isEmpty() && !set.getTokenizerSha256().equals(tokenizer.sha256())) {
                throw CalibraException.failedPrecondition("calibration set " + set.getId() + " was tokenized with tokenizer "
                        + set.getTokenizerSha256() + ", the model's tokenizer.json is " + tokenizer.sha256()
                        + "; draw a calibration set with this model's tokenizer");
            }
        }
        return CalibrationSamples.read(VerifiedContent.require(
                        ArtifactReads.localPath(store, set.getArtifactUri(), "calibration set " + set.getId()), set.getArtifactSha256(),
                        "calibration set " + set.getId(), CalibraException::dataLoss),
                folder.config().vocabSize());
    }

    /** Where an earlier attempt stopped: its last checkpoint's URI names the file in the job's checkpoint folder. */
    private ResumeState resume(String checkpointUri, String checkpointPrefix) throws IOException {
        if (checkpointUri == null || checkpointUri.isEmpty()) {
            return ResumeState.FRESH;
        }
        URI checkpoint = URI.create(checkpointUri);
        String name = Path.of(checkpoint.getPath()).getFileName().toString();
        if (!store.uriOf(checkpointPrefix + "/" + name).equals(checkpoint)) {
            throw new IllegalArgumentException("checkpoint " + checkpointUri + " is not in this run's checkpoint folder "
                    + store.uriOf(checkpointPrefix));
        }
        Path last = store.localFolder(checkpointPrefix).resolve(name);
        int lastBlock = BlockCheckpoint.blockOf(last.getFileName().toString());
        if (lastBlock < 0) {
            return ResumeState.FRESH;
        }
        // results without weights: the driver reads each resumed block's weights when it replays it
        List<LayerResult> done = new ArrayList<>();
        for (int block = 0; block <= lastBlock; block++) {
            BlockCheckpoint.read(last.resolveSibling(BlockCheckpoint.fileName(block))).forEach(r -> done.add(r.released()));
        }
        return new ResumeState(lastBlock + 1, done, BlockCheckpoint.readingFrom(last.getParent()));
    }

    private DriverListener listener(RunObserver observer, String checkpointPrefix, DecoderSpec decoder, int alreadyDone,
            long start, RunPhases phases) {
        return new DriverListener() {
            private int done = alreadyDone;

            @Override
            public void layerDone(LayerResult result, int totalBlocks) {
                done++;
                observer.layer(layerReport(result, decoder, false));
                int blocks = decoder.dims().layers();
                long total = (long) blocks * decoder.linears().size();
                observer.progress(Progress.newBuilder().setFraction(Math.min(1.0, (double) done / total))
                        .setMessage(String.format("block %d/%d %s error %.3g", result.block() + 1, blocks,
                                moduleInBlock(decoder, result.linear()), result.layer().relativeReconstructionError()))
                        .setStep(done).setTotalSteps(total).setElapsedSeconds((System.nanoTime() - start) / 1e9).build());
            }

            @Override
            public void blockDone(int block, List<LayerResult> results) throws IOException {
                long checkpointStart = System.nanoTime();
                StoredArtifact file = store.putFile(checkpointPrefix + "/" + BlockCheckpoint.fileName(block), out -> {
                    Path temp = java.nio.file.Files.createTempFile("calibra-block", ".safetensors");
                    try {
                        BlockCheckpoint.write(temp, results);
                        java.nio.file.Files.copy(temp, out);
                    } finally {
                        java.nio.file.Files.deleteIfExists(temp);
                    }
                });
                phases.addNanos("checkpoint", System.nanoTime() - checkpointStart);
                observer.checkpoint(file.uri().toString());
            }

            @Override
            public boolean keepsWeights() {
                return true;                                          // memory stays one block, not the model
            }

            @Override
            public void checkStop() {
                observer.checkStop();
            }
        };
    }

    /** The module path inside a block ("self_attn.q_proj") of a linear named as the driver names it ("q_proj"). */
    static String moduleInBlock(DecoderSpec decoder, String linear) {
        return decoder.linear(linear).module();
    }

    static LayerReport layerReport(LayerResult result, DecoderSpec decoder, boolean packed) {
        CompressedLayer layer = result.layer();
        LayerReport.Builder report = LayerReport.newBuilder().setBlock(result.block())
                .setLinear(moduleInBlock(decoder, result.linear())).setRows(layer.rows())
                .setColumns(layer.columns()).setSeconds(result.seconds())
                .setReconstructionError(layer.relativeReconstructionError()).setPacked(packed)
                .setOutlierFraction(layer.outlierFraction());
        if (!Double.isNaN(layer.averageBits())) {
            report.setAverageBits(layer.averageBits());
        }
        if (layer instanceof PrunedLayer p) {
            report.setSparsity(p.achievedSparsity());
        } else if (layer instanceof QuantizedLayer q) {
            report.setMaxLevels(q.maxLevelsPerGroup());
        } else if (layer instanceof AwqLayer a) {
            report.setClippedGroups(Math.max(0, a.clippedGroups()));
            if (a.scaled()) {
                report.setScaleAlpha(a.alpha());
            }
        }
        return report.build();
    }

    /** Bits per weight over all linears, weighted by their size; NaN for pruning. */
    static double averageBits(List<LayerResult> results) {
        return weighted(results, CompressedLayer::averageBits);
    }

    static double outlierFraction(List<LayerResult> results) {
        return weighted(results, CompressedLayer::outlierFraction);
    }

    private static double weighted(List<LayerResult> results, java.util.function.ToDoubleFunction<CompressedLayer> value) {
        double sum = 0;
        double weights = 0;
        for (LayerResult result : results) {
            double size = (double) result.layer().rows() * result.layer().columns();
            sum += value.applyAsDouble(result.layer()) * size;
            weights += size;
        }
        return weights == 0 ? Double.NaN : sum / weights;
    }

    private static ObjectNode report(CompressRequest request, MethodSpec spec, DecoderSpec decoder, Model base,
            CalibrationSet set,
            int[][] samples, Device device, List<LayerResult> results, long start) {
        ObjectNode report = JSON.createObjectNode();
        report.put("method", spec.name());
        report.put("reference", spec.reference());
        report.putPOJO("parameters", spec.parameters());
        report.put("target", request.getTarget());
        report.put("base_model_id", base.getId());
        report.put("calibration_set_id", set == null ? "" : set.getId());
        report.put("n_samples", samples == null ? 0 : samples.length);
        report.put("seq_len", samples == null ? 0 : samples[0].length);
        report.put("device", device.toString());
        report.put("elapsed_seconds", (System.nanoTime() - start) / 1e9);
        ArrayNode layers = report.putArray("layers");
        for (LayerResult result : results) {
            ObjectNode layer = layers.addObject().put("block", result.block()).put("linear", moduleInBlock(decoder, result.linear()))
                    .put("rows", result.layer().rows()).put("columns", result.layer().columns())
                    .put("relative_reconstruction_error", result.layer().relativeReconstructionError())
                    .put("seconds", result.seconds());
            if (result.layer() instanceof PrunedLayer p) {
                layer.put("achieved_sparsity", p.achievedSparsity()).put("zeros", p.zeroCount());
            } else if (result.layer() instanceof QuantizedLayer q) {
                layer.put("bits", q.bits()).put("max_levels_per_group", q.maxLevelsPerGroup());
            } else if (result.layer() instanceof SpqrLayer q) {
                layer.put("outliers", q.outliers()).put("outlier_fraction", q.outlierFraction());
            } else if (result.layer() instanceof AwqLayer a) {
                layer.put("scale_alpha", a.scaled() ? a.alpha() : null).put("clipped_groups", a.clippedGroups());
            }
            if (!Double.isNaN(result.layer().averageBits())) {
                layer.put("average_bits", result.layer().averageBits());
            }
        }
        if (spec.quantization()) {
            report.put("average_bits", averageBits(results)).put("outlier_fraction", outlierFraction(results));
        }
        return report;
    }
}
