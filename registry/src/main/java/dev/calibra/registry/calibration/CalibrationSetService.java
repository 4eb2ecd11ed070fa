package dev.calibra.registry.calibration;

import dev.calibra.proto.v1.CalibrationSet;
import dev.calibra.proto.v1.CalibrationSpec;
import dev.calibra.proto.v1.RegisterCalibrationSetRequest;
import dev.calibra.proto.v1.WeightedCorpus;
import dev.calibra.registry.corpus.CorpusRepository;
import dev.calibra.registry.job.JobClaims;
import dev.calibra.registry.model.ModelRepository;
import dev.calibra.registry.support.ArtifactLocation;
import dev.calibra.registry.support.ArtifactLocations;
import dev.calibra.registry.support.StoreOwnership;
import dev.calibra.registry.support.Checks;
import dev.calibra.registry.support.Ids;
import dev.calibra.registry.support.Json;
import dev.calibra.registry.support.Page;
import dev.calibra.registry.team.TeamScope;
import dev.calibra.rpc.CalibraException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import dev.calibra.registry.support.Times;
import java.util.Optional;

/** Registers calibration sets: the same fingerprint drawn by the same spec is registered once. */
@ApplicationScoped
public class CalibrationSetService {

    private final CalibrationSetRepository sets;
    private final CorpusRepository corpora;
    private final ModelRepository models;
    private final JobClaims claims;
    private final StoreOwnership store;
    private final ArtifactLocations locations;

    public CalibrationSetService(CalibrationSetRepository sets, CorpusRepository corpora, ModelRepository models,
            JobClaims claims, StoreOwnership store, ArtifactLocations locations) {
        this.sets = sets;
        this.corpora = corpora;
        this.models = models;
        this.claims = claims;
        this.store = store;
        this.locations = locations;
    }

    @Transactional
    public CalibrationSetEntity register(TeamScope scope, RegisterCalibrationSetRequest request) {
        CalibrationSet set = request.getCalibrationSet();
        String teamId = scope.teamId();
        Checks.sha256(set.getFingerprint(), "calibration_set.fingerprint");
        CalibrationSpec spec = set.getSpec();
        Checks.required(spec.getStrategy(), "calibration_set.spec.strategy");
        Checks.positive(spec.getNSamples(), "calibration_set.spec.n_samples");
        Checks.positive(spec.getSeqLen(), "calibration_set.spec.seq_len");
        Checks.required(set.getSamplerVersion(), "calibration_set.sampler_version");
        Checks.sha256(set.getTokenizerSha256(), "calibration_set.tokenizer_sha256");
        // Inputs may be any records the team can read; the set itself is the team's.
        if (!spec.getModelId().isEmpty() && models.findVisible(scope, spec.getModelId())
                .filter(model -> models.holdForReference(model.id)).isEmpty()) {
            throw CalibraException.notFound("calibration_set.spec.model_id " + spec.getModelId() + " is not a registered model");
        }
        for (int i = 0; i < spec.getCorporaCount(); i++) {
            WeightedCorpus corpus = spec.getCorpora(i);
            if (corpora.findVisible(scope, corpus.getCorpusId()).isEmpty()) {
                throw CalibraException.notFound("calibration_set.spec.corpora[" + i + "].corpus_id " + corpus.getCorpusId()
                        + " is not a registered corpus");
            }
            if (!(corpus.getWeight() > 0)) {
                throw CalibraException.invalidArgument("calibration_set.spec.corpora[" + i + "].weight must be > 0, got "
                        + corpus.getWeight());
            }
        }
        ArtifactLocation artifact = locations.existing(Checks.required(set.getArtifactUri(), "calibration_set.artifact_uri"),
                "calibration_set.artifact_uri");
        store.requireOwnedBy(teamId, artifact, "calibration_set.artifact_uri");
        String artifactSha256 = artifact.sha256();
        if (!set.getArtifactSha256().isEmpty() && !set.getArtifactSha256().equals(artifactSha256)) {
            throw CalibraException.invalidArgument("calibration_set.artifact_sha256 does not match the content of " + artifact);
        }

        claims.requireForOutput(scope, "calibration_set.producing_job_id", set.getProducingJobId(),
                request.getProducingWorkerId(), request.getProducingAttempt(), "a set");

        String specKey = Json.ofMessage(spec);
        Optional<CalibrationSetEntity> existing = sets.findBySpec(teamId, set.getFingerprint(), specKey);
        if (existing.isPresent()) {
            return existing.get();
        }
        CalibrationSetEntity entity = new CalibrationSetEntity();
        entity.id = Ids.next("cal");
        entity.teamId = teamId;
        entity.fingerprint = set.getFingerprint();
        entity.spec = specKey;
        entity.specKey = specKey;
        entity.samplerVersion = set.getSamplerVersion();
        entity.tokenizerSha256 = set.getTokenizerSha256();
        entity.artifactUri = artifact.uri();
        entity.artifactSha256 = artifactSha256;
        entity.statistics = Json.ofMessage(set.getStatistics());
        entity.producingJobId = set.getProducingJobId().isEmpty() ? null : set.getProducingJobId();
        entity.createdAt = Times.now();
        sets.persist(entity);
        for (WeightedCorpus corpus : spec.getCorporaList()) {
            CalibrationSetCorpus link = new CalibrationSetCorpus();
            link.calibrationSetId = entity.id;
            link.corpusId = corpora.findVisible(scope, corpus.getCorpusId()).orElseThrow().id;
            if (CalibrationSetCorpus.find("calibrationSetId = ?1 and corpusId = ?2", link.calibrationSetId, link.corpusId)
                    .firstResultOptional().isEmpty()) {
                link.persist();
            }
        }
        return entity;
    }

    public CalibrationSetEntity get(TeamScope scope, String idOrFingerprint) {
        Checks.required(idOrFingerprint, "id");
        return sets.findVisible(scope, idOrFingerprint)
                .orElseThrow(() -> CalibraException.notFound("calibration set " + idOrFingerprint + " is not registered"));
    }

    public Page<CalibrationSetEntity> list(TeamScope scope, String corpusId, String pageToken, int pageSize) {
        return sets.page(scope, corpusId, pageToken, pageSize);
    }
}
