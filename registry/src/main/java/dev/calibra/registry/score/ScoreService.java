package dev.calibra.registry.score;

import dev.calibra.proto.v1.RecordScoresRequest;
import dev.calibra.proto.v1.Score;
import dev.calibra.registry.job.JobClaims;
import dev.calibra.registry.model.ModelRepository;
import dev.calibra.registry.support.Checks;
import dev.calibra.registry.support.Ids;
import dev.calibra.registry.support.Json;
import dev.calibra.registry.support.Page;
import dev.calibra.registry.support.Times;
import dev.calibra.registry.team.TeamScope;
import dev.calibra.rpc.CalibraException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Records evaluation results (all of a request or none) and answers queries over them. */
@ApplicationScoped
public class ScoreService {

    private final ScoreRepository scores;
    private final ModelRepository models;
    private final JobClaims claims;

    public ScoreService(ScoreRepository scores, ModelRepository models, JobClaims claims) {
        this.scores = scores;
        this.models = models;
        this.claims = claims;
    }

    @Transactional
    public List<ScoreEntity> record(TeamScope scope, RecordScoresRequest request) {
        String teamId = scope.teamId();
        List<Score> requested = request.getScoresList();
        if (requested.isEmpty()) {
            throw CalibraException.invalidArgument("scores is empty: nothing to record");
        }
        if (request.getProducingWorkerId().isEmpty()) {
            for (int i = 0; i < requested.size(); i++) {
                if (!requested.get(i).getProducingJobId().isEmpty()) {
                    throw CalibraException.invalidArgument("scores[" + i + "].producing_job_id needs producing_worker_id and "
                            + "producing_attempt: scores are recorded for a job only under its claim");
                }
            }
        } else {
            String jobId = Checks.required(requested.get(0).getProducingJobId(), "scores[0].producing_job_id");
            for (int i = 1; i < requested.size(); i++) {
                if (!jobId.equals(requested.get(i).getProducingJobId())) {
                    throw CalibraException.invalidArgument("scores[" + i + "].producing_job_id must be " + jobId
                            + ", the job of the claim recording them");
                }
            }
            claims.requireCurrent(scope, jobId, request.getProducingWorkerId(), request.getProducingAttempt());
        }
        List<ScoreEntity> recorded = new ArrayList<>();
        // An evaluation records a dozen scores of one model: look it up once.
        Map<String, String> resolved = new HashMap<>();
        for (int i = 0; i < requested.size(); i++) {
            Score score = requested.get(i);
            String field = "scores[" + i + "]";
            String modelId = Checks.required(score.getModelId(), field + ".model_id");
            // A team may score any model it can read; the score is the team's.
            String resolvedModel = resolved.get(modelId);
            if (resolvedModel == null) {
                resolvedModel = models.findVisible(scope, modelId)
                        .orElseThrow(() -> CalibraException.notFound(field + ".model_id " + modelId + " is not a registered model")).id;
                resolved.put(modelId, resolvedModel);
            }
            if (!Double.isFinite(score.getValue())) {
                throw CalibraException.invalidArgument(field + ".value must be a finite number, got " + score.getValue());
            }
            if (!Double.isFinite(score.getStderr()) || score.getStderr() < 0) {
                throw CalibraException.invalidArgument(field + ".stderr must be finite and >= 0, got " + score.getStderr());
            }
            if (score.hasEvaluatedAt()) {
                throw CalibraException.invalidArgument(field + ".evaluated_at is stamped by the registry; leave it unset");
            }
            if (score.getN() < 0) {
                throw CalibraException.invalidArgument(field + ".n must be >= 0, got " + score.getN());
            }
            ScoreEntity entity = new ScoreEntity();
            entity.id = Ids.next("scr");
            entity.teamId = teamId;
            entity.modelId = resolvedModel;
            entity.task = Checks.required(score.getTask(), field + ".task");
            entity.metric = Checks.required(score.getMetric(), field + ".metric");
            entity.value = score.getValue();
            entity.stderr = score.getStderr();
            entity.n = score.getN();
            entity.settings = Json.ofMap(score.getSettingsMap());
            entity.environment = Json.ofMap(score.getEnvironmentMap());
            entity.producingJobId = score.getProducingJobId().isEmpty() ? null : score.getProducingJobId();
            entity.evaluatedAt = Times.now();
            recorded.add(entity);
        }
        // Validate everything before writing anything: all or none.
        recorded.forEach(scores::persist);
        return recorded;
    }

    public Page<ScoreEntity> query(TeamScope scope, String modelId, String task, String metric, String pageToken, int pageSize) {
        return scores.query(scope, modelId, task, metric, pageToken, pageSize);
    }
}
