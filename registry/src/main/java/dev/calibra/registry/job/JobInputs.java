package dev.calibra.registry.job;

import dev.calibra.contract.MethodContracts;
import dev.calibra.contract.ServingTargets;
import dev.calibra.proto.v1.JobSpec;
import dev.calibra.proto.v1.PerplexitySpec;
import dev.calibra.proto.v1.WeightedCorpus;
import dev.calibra.registry.calibration.CalibrationSetRepository;
import dev.calibra.registry.corpus.CorpusRepository;
import dev.calibra.registry.model.ModelRepository;
import dev.calibra.registry.team.TeamScope;
import dev.calibra.rpc.CalibraException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The records a job spec names must be ones the submitting team can read: otherwise a job would be a
 * way to use (or probe for) another team's models and data. Empty ids are left for dependencies to fill.
 */
@ApplicationScoped
public class JobInputs {

    private final ModelRepository models;
    private final CorpusRepository corpora;
    private final CalibrationSetRepository calibrationSets;

    public JobInputs(ModelRepository models, CorpusRepository corpora, CalibrationSetRepository calibrationSets) {
        this.models = models;
        this.corpora = corpora;
        this.calibrationSets = calibrationSets;
    }

    /**
     * NOT_FOUND naming the field when a named input is not visible to the scope (whether or not it exists);
     * INVALID_ARGUMENT when a compression's method or parameters break the method's contract.
     */
    public void requireVisible(TeamScope scope, JobSpec spec) {
        requireVisible(scope, spec, new HashSet<>());
    }

    /**
     * As {@link #requireVisible(TeamScope, JobSpec)}, skipping the inputs already in {@code checked} (and adding
     * those it checks): jobs queued together in one transaction name the same few models and corpora.
     */
    public void requireVisible(TeamScope scope, JobSpec spec, Set<String> checked) {
        switch (spec.getSpecCase()) {
            case CALIBRATE -> {
                model(scope, spec.getCalibrate().getSpec().getModelId(), "spec.calibrate.spec.model_id", checked);
                for (int i = 0; i < spec.getCalibrate().getSpec().getCorporaCount(); i++) {
                    WeightedCorpus corpus = spec.getCalibrate().getSpec().getCorpora(i);
                    corpus(scope, corpus.getCorpusId(), "spec.calibrate.spec.corpora[" + i + "].corpus_id", checked);
                }
            }
            case COMPRESS -> {
                // the method and its parameters by the contract, so a request no worker can run is never queued
                List<String> problems = MethodContracts.problems(spec.getCompress().getMethod(), spec.getCompress().getParameters());
                if (!problems.isEmpty()) {
                    throw CalibraException.invalidArgument("spec.compress." + (problems.get(0).startsWith("method:") ? "" : "parameters.")
                            + String.join("; ", problems));
                }
                MethodContracts.formatProblem(spec.getCompress().getMethod(), spec.getCompress().getFormat(),
                        spec.getCompress().getParameters()).ifPresent(problem -> {
                            throw CalibraException.invalidArgument("spec.compress." + problem);
                        });
                try {
                    ServingTargets.apply(spec.getCompress().getTarget(), spec.getCompress().getMethod(), spec.getCompress().getFormat(),
                            spec.getCompress().getParameters());
                } catch (IllegalArgumentException e) {
                    throw CalibraException.invalidArgument("spec.compress." + e.getMessage());
                }
                model(scope, spec.getCompress().getModelId(), "spec.compress.model_id", checked);
                String setId = spec.getCompress().getCalibrationSetId();
                if (!setId.isEmpty() && checked.add("set " + setId) && calibrationSets.findVisible(scope, setId).isEmpty()) {
                    throw CalibraException.notFound("spec.compress.calibration_set_id " + setId + " is not a registered calibration set");
                }
            }
            case EVALUATE -> {
                model(scope, spec.getEvaluate().getModelId(), "spec.evaluate.model_id", checked);
                for (int i = 0; i < spec.getEvaluate().getPerplexityCount(); i++) {
                    PerplexitySpec perplexity = spec.getEvaluate().getPerplexity(i);
                    corpus(scope, perplexity.getCorpusId(), "spec.evaluate.perplexity[" + i + "].corpus_id", checked);
                }
            }
            case SPEC_NOT_SET -> { }
        }
    }

    private void model(TeamScope scope, String idOrName, String field, Set<String> checked) {
        // The share lock makes a concurrent DeleteModel wait for this job and then see it.
        if (!idOrName.isEmpty() && checked.add("model " + idOrName) && models.findVisible(scope, idOrName).filter(model -> models.holdForReference(model.id)).isEmpty()) {
            throw CalibraException.notFound(field + " " + idOrName + " is not a registered model");
        }
    }

    private void corpus(TeamScope scope, String idOrName, String field, Set<String> checked) {
        if (!idOrName.isEmpty() && checked.add("corpus " + idOrName) && corpora.findVisible(scope, idOrName).isEmpty()) {
            throw CalibraException.notFound(field + " " + idOrName + " is not a registered corpus");
        }
    }
}
