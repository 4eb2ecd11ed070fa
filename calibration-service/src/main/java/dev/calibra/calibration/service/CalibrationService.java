package dev.calibra.calibration.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.calibra.artifacts.VerifiedContent;
import dev.calibra.runtime.artifacts.ArtifactReads;
import dev.calibra.calibration.corpus.CorpusScan;
import dev.calibra.calibration.corpus.DocumentRule;
import dev.calibra.calibration.sampling.CorpusInput;
import dev.calibra.calibration.sampling.DrawRequest;
import dev.calibra.calibration.sampling.Parameters;
import dev.calibra.calibration.sampling.ParameterSpec;
import dev.calibra.calibration.sampling.Strategies;
import dev.calibra.calibration.sampling.Strategy;
import dev.calibra.model.tokenizer.Tokenizer;
import dev.calibra.proto.v1.AddCorpusRequest;
import dev.calibra.proto.v1.CalibrationSample;
import dev.calibra.proto.v1.CalibrationSet;
import dev.calibra.proto.v1.CalibrationSpec;
import dev.calibra.proto.v1.Corpus;
import dev.calibra.proto.v1.GetCalibrationSetRequest;
import dev.calibra.proto.v1.GetCalibrationSetSamplesRequest;
import dev.calibra.proto.v1.GetCorpusRequest;
import dev.calibra.proto.v1.GetModelRequest;
import dev.calibra.proto.v1.ListStrategiesResponse;
import dev.calibra.proto.v1.Model;
import dev.calibra.proto.v1.RegisterCalibrationSetRequest;
import dev.calibra.proto.v1.RegisterCorpusRequest;
import dev.calibra.proto.v1.RegistryGrpc;
import dev.calibra.proto.v1.SampleCalibrationSetRequest;
import dev.calibra.proto.v1.SampleProvenance;
import dev.calibra.proto.v1.WeightedCorpus;
import dev.calibra.rpc.AllowedRoots;
import dev.calibra.rpc.CalibraException;
import dev.calibra.rpc.auth.CallerCredentials;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The calibration service's logic, free of gRPC: corpora are scanned here and registered in the
 * registry; sets are drawn, stored in the artifact store and registered (the artifact is removed again
 * when registration fails, so nothing is left half-done).
 */
public final class CalibrationService {

    static final String DROP_ANOMALOUS = "drop_anomalous";

    private final RegistryGrpc.RegistryBlockingStub registry;
    private final CalibrationArtifacts artifacts;
    private final SetSampler sampler;
    /** CALIBRA_ALLOWED_ROOTS: a shared deployment limits which server paths callers may name. */
    private final AllowedRoots allowedRoots = AllowedRoots.fromEnvironment();
    /** 64M tokens: 256 MB of ids, over 100x the paper's largest set (128 x 2048 = 262,144). */
    static final long MAX_SET_TOKENS = 64L << 20;

    public CalibrationService(RegistryGrpc.RegistryBlockingStub registry, CalibrationArtifacts artifacts, SetSampler sampler) {
        this.registry = registry;
        this.artifacts = artifacts;
        this.sampler = sampler;
    }

    public Corpus addCorpus(AddCorpusRequest request) throws IOException {
        if (request.getName().isBlank()) {
            throw CalibraException.invalidArgument("name is required");
        }
        if (request.getPath().isBlank()) {
            throw CalibraException.invalidArgument("path is required");
        }
        Path path = Path.of(request.getPath());
        if (!path.isAbsolute()) {
            throw CalibraException.invalidArgument("path " + path + " must be absolute");
        }
        allowedRoots.check("path", path);
        CorpusScan scan = CorpusScan.of(path, request.getDocumentRule(), request.getTextField());
        return registry.registerCorpus(RegisterCorpusRequest.newBuilder()
                .setName(request.getName()).setDomain(request.getDomain()).setSourceUri(scan.path().toString())
                .setSha256(scan.sha256()).setDocumentCount(scan.documents()).setSplit(request.getSplit())
                .setDocumentRule(scan.rule().label()).setLicence(request.getLicence()).setSizeBytes(scan.sizeBytes())
                .build());
    }

    /** The claim of the job drawing a set, or none for a direct call. */
    public record Producer(String jobId, String workerId, int attempt) {
        public static final Producer NONE = new Producer("", "", 0);
    }

    public CalibrationSet sample(SampleCalibrationSetRequest request, Producer producer) throws IOException {
        CalibrationSpec given = request.getSpec();
        Strategy strategy = Strategies.of(given.getStrategy());
        if (given.getNSamples() <= 0) {
            throw CalibraException.invalidArgument("spec.n_samples must be > 0, got " + given.getNSamples());
        }
        if (given.getSeqLen() <= 0) {
            throw CalibraException.invalidArgument("spec.seq_len must be > 0, got " + given.getSeqLen());
        }
        // The set is held in memory as int32 ids (half again with drop_anomalous): refuse what cannot fit.
        long tokens = (long) given.getNSamples() * given.getSeqLen();
        if (tokens > MAX_SET_TOKENS) {
            throw new CalibraException(CalibraException.Kind.RESOURCE_EXHAUSTED, "spec.n_samples x spec.seq_len = " + tokens
                    + " tokens is above the limit of " + MAX_SET_TOKENS + " per calibration set; lower n_samples or seq_len");
        }
        if (given.getModelId().isBlank()) {
            throw CalibraException.invalidArgument("spec.model_id is required (the model supplies the tokenizer)");
        }
        Model model = registry.getModel(GetModelRequest.newBuilder().setId(given.getModelId()).build());
        try (ModelSession session = openModel(model)) {
            if (given.getSeqLen() > session.contextTokens()) {
                throw CalibraException.invalidArgument("spec.seq_len " + given.getSeqLen() + " is above model " + model.getName()
                        + "'s context of " + session.contextTokens() + " tokens");
            }
            List<CorpusInput> corpora = corpora(given, strategy);
            Map<String, String> parameters = new HashMap<>(given.getParametersMap());
            boolean dropAnomalous = request.getDropAnomalous() || "true".equals(parameters.remove(DROP_ANOMALOUS));
            Parameters resolved = Parameters.resolve(strategy.name(), strategy.parameters(), parameters);
            CalibrationSpec spec = canonicalSpec(given, model, corpora, resolved, dropAnomalous);

            DrawRequest draw = new DrawRequest(given.getNSamples(), given.getSeqLen(), given.getSeed(), resolved, corpora,
                    session.tokenizer(), session, artifacts.store());
            DrawnSet set = sampler.draw(strategy, draw, dropAnomalous);
            return register(set, spec, session.tokenizer(), producer);
        }
    }

    private CalibrationSet register(DrawnSet set, CalibrationSpec spec, Tokenizer tokenizer, Producer producer)
            throws IOException {
        String team = CallerCredentials.currentTeam();
        if (team.isEmpty()) {
            throw CalibraException.failedPrecondition("the caller's team is unknown, so the set has no folder in the artifact store");
        }
        CalibrationArtifacts.Stored stored = artifacts.write(team, set, spec, tokenizer.sha256());
        try {
            return registry.registerCalibrationSet(RegisterCalibrationSetRequest.newBuilder().setCalibrationSet(
                    CalibrationSet.newBuilder().setFingerprint(set.fingerprint()).setSpec(spec)
                            .setSamplerVersion(set.samplerVersion()).setTokenizerSha256(tokenizer.sha256())
                            .setArtifactUri(stored.uri().toString()).setArtifactSha256(stored.sha256())
                            .setStatistics(set.statistics()).setProducingJobId(producer.jobId()))
                    .setProducingWorkerId(producer.workerId()).setProducingAttempt(producer.attempt())
                    .build());
        } catch (RuntimeException failed) {
            if (stored.written() && !registeredAt(set.fingerprint(), stored.uri().toString())) {
                artifacts.delete(stored.key());
            }
            throw failed;
        }
    }

    /**
     * Whether a registered set of the team already points at this file: a concurrent call of the same team may
     * have found the folder this call wrote and registered it. Unknown (registry away) counts as yes; gc removes
     * what stays unreferenced.
     */
    private boolean registeredAt(String fingerprint, String uri) {
        try {
            CalibrationSet found = registry.getCalibrationSet(GetCalibrationSetRequest.newBuilder().setId(fingerprint).build());
            return found.getArtifactUri().equals(uri);
        } catch (io.grpc.StatusRuntimeException e) {
            return e.getStatus().getCode() != io.grpc.Status.Code.NOT_FOUND;
        }
    }

    /** The registered corpora of the spec, by id or name, with weights checked (one corpus: weight 1). */
    private List<CorpusInput> corpora(CalibrationSpec spec, Strategy strategy) throws IOException {
        List<CorpusInput> corpora = new ArrayList<>();
        for (int i = 0; i < spec.getCorporaCount(); i++) {
            WeightedCorpus weighted = spec.getCorpora(i);
            double weight = weighted.getWeight() == 0 && !strategy.name().equals("mixture") ? 1 : weighted.getWeight();
            if (!(weight > 0) || Double.isInfinite(weight)) {
                throw CalibraException.invalidArgument("spec.corpora[" + i + "] (" + weighted.getCorpusId()
                        + ") weight must be > 0, got " + weighted.getWeight());
            }
            if (weighted.getCorpusId().isBlank()) {
                throw CalibraException.invalidArgument("spec.corpora[" + i + "].corpus_id is empty");
            }
            Corpus corpus = registry.getCorpus(GetCorpusRequest.newBuilder().setId(weighted.getCorpusId()).build());
            Path source = ArtifactReads.localPath(artifacts.store(), corpus.getSourceUri(), "corpus " + corpus.getName());
            requireUnchanged(corpus, source);
            corpora.add(new CorpusInput(corpus.getId(), corpus.getName(), source, corpus.getSha256(),
                    DocumentRule.parse(corpus.getDocumentRule()), weight));
        }
        return corpora;
    }

    /** The same spec must mean the same tokens: a corpus edited since registration is refused. */
    private static void requireUnchanged(Corpus corpus, Path source) throws IOException {
        if (!java.nio.file.Files.exists(source)) {
            throw CalibraException.failedPrecondition("corpus " + corpus.getName() + " (" + corpus.getId() + "): its source "
                    + source + " no longer exists");
        }
        // hashed once per process while the file keeps its size and time
        VerifiedContent.require(source, corpus.getSha256(), "corpus " + corpus.getName() + " (" + corpus.getId() + ")",
                message -> CalibraException.failedPrecondition(message + "; register the new content as a new corpus"));
    }

    private static CalibrationSpec canonicalSpec(CalibrationSpec given, Model model, List<CorpusInput> corpora,
            Parameters resolved, boolean dropAnomalous) {
        CalibrationSpec.Builder spec = CalibrationSpec.newBuilder().setStrategy(given.getStrategy())
                .setNSamples(given.getNSamples()).setSeqLen(given.getSeqLen()).setSeed(given.getSeed())
                .setModelId(model.getId());
        corpora.forEach(c -> spec.addCorpora(WeightedCorpus.newBuilder().setCorpusId(c.corpusId()).setWeight(c.weight())));
        // Name order, so equal requests give byte-equal specs (the registry's idempotency key).
        java.util.TreeMap<String, String> parameters = new java.util.TreeMap<>(resolved.asMap());
        parameters.put(DROP_ANOMALOUS, Boolean.toString(dropAnomalous));
        spec.putAllParameters(parameters);
        return spec.build();
    }

    /** Streams a registered set's rows (ids, decoded text, provenance); {@code maxSamples} 0 = all. */
    public void samples(GetCalibrationSetSamplesRequest request, Consumer<CalibrationSample> out) throws IOException {
        CalibrationSet set = registry.getCalibrationSet(GetCalibrationSetRequest.newBuilder().setId(request.getId()).build());
        Model model = registry.getModel(GetModelRequest.newBuilder().setId(set.getSpec().getModelId()).build());
        Path safetensors = VerifiedContent.require(artifacts.localSet(set.getArtifactUri(), "calibration set " + set.getId()),
                set.getArtifactSha256(), "calibration set " + set.getId(), CalibraException::dataLoss);
        int[][] rows = CalibrationArtifacts.readRows(safetensors);
        JsonNode samples = CalibrationArtifacts.readSidecar(safetensors).path("samples");
        int limit = request.getMaxSamples() > 0 ? Math.min(request.getMaxSamples(), rows.length) : rows.length;
        try (ModelSession session = openModel(model)) {
            for (int i = 0; i < limit; i++) {
                JsonNode provenance = samples.path(i);
                out.accept(CalibrationSample.newBuilder().setIndex(i)
                        .addAllTokenIds(java.util.Arrays.stream(rows[i]).boxed().toList())
                        .setText(session.tokenizer().decode(rows[i]))
                        .setProvenance(SampleProvenance.newBuilder().setCorpusId(provenance.path("corpus_id").asText(""))
                                .setDocumentIndex(provenance.path("document_index").asLong(-1))
                                .setTokenOffset(provenance.path("token_offset").asLong(0))
                                .setPerplexity(provenance.path("perplexity").asDouble(0))
                                .setAnomaly(provenance.path("anomaly").asText("")))
                        .build());
            }
        }
    }

    public ListStrategiesResponse strategies() {
        ListStrategiesResponse.Builder response = ListStrategiesResponse.newBuilder();
        for (Strategy strategy : Strategies.all()) {
            var info = dev.calibra.proto.v1.Strategy.newBuilder().setName(strategy.name()).setVersion(strategy.version())
                    .setDescription(strategy.description());
            strategy.parameters().stream().map(ParameterSpec::toProto).forEach(info::addParameters);
            info.addParameters(new ParameterSpec(DROP_ANOMALOUS, "bool", "false", "true, false",
                    "drop rows flagged anomalous (extreme perplexity, heavy repetition) and draw replacements").toProto());
            response.addStrategies(info);
        }
        return response.build();
    }

    /** A registered model's folder, fetched from the store where it is remote, checked against its sha256. */
    private ModelSession openModel(Model model) throws IOException {
        String what = "model " + model.getId();
        return ModelSession.open(VerifiedContent.require(ArtifactReads.localPath(artifacts.store(), model.getArtifactUri(), what),
                model.getSha256(), what, CalibraException::dataLoss));
    }
}
