package dev.calibra.registry.score;

import dev.calibra.registry.support.Page;
import dev.calibra.registry.team.TeamScope;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class ScoreRepository implements PanacheRepositoryBase<ScoreEntity, String> {

    public Page<ScoreEntity> query(TeamScope scope, String modelId, String task, String metric, String pageToken, int pageSize) {
        StringBuilder where = new StringBuilder(scope.readableClause());
        Parameters parameters = scope.readableParameters();
        if (!modelId.isEmpty()) {
            where.append(" and modelId = :model");
            parameters.and("model", modelId);
        }
        if (!task.isEmpty()) {
            where.append(" and task = :task");
            parameters.and("task", task);
        }
        if (!metric.isEmpty()) {
            where.append(" and metric = :metric");
            parameters.and("metric", metric);
        }
        return Page.query(this, where.toString(), parameters, pageToken, pageSize, score -> score.id);
    }
}
