package dev.calibra.registry.model;

import dev.calibra.registry.support.Page;
import dev.calibra.registry.team.TeamScope;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.util.Optional;

@ApplicationScoped
public class ModelRepository implements PanacheRepositoryBase<ModelEntity, String> {

    /** A model the scope may read, by id, by its own team's name or by {@code team/name} ({@link TeamScope#lookup}). */
    public Optional<ModelEntity> findVisible(TeamScope scope, String idOrName) {
        return scope.lookup(getEntityManager(), "model", ModelEntity.class, idOrName, model -> model.id, model -> model.teamId);
    }

    public Optional<ModelEntity> findByName(String teamId, String name) {
        return find("teamId = ?1 and name = ?2", teamId, name).firstResultOptional();
    }

    /** The model, locked for a change or a delete. */
    public Optional<ModelEntity> lockVisible(TeamScope scope, String idOrName) {
        return findVisible(scope, idOrName).map(model -> findById(model.id, LockModeType.PESSIMISTIC_WRITE));
    }

    /**
     * Holds a share lock on a model that a new record is about to refer to, so that a concurrent
     * DeleteModel waits and then sees the reference; false when the model has just been deleted.
     */
    public boolean holdForReference(String id) {
        return !getEntityManager().createNativeQuery("SELECT id FROM model WHERE id = :id FOR KEY SHARE")
                .setParameter("id", id).getResultList().isEmpty();
    }

    /** What still refers to a model (the database function its delete trigger uses). */
    public References references(ModelEntity model) {
        Object[] row = (Object[]) getEntityManager().createNativeQuery(
                "SELECT derived_models, scores, calibration_sets, jobs FROM model_references(:id, :name, :team)")
                .setParameter("id", model.id).setParameter("name", model.name).setParameter("team", model.teamId)
                .getSingleResult();
        return new References(((Number) row[0]).longValue(), ((Number) row[1]).longValue(), ((Number) row[2]).longValue(),
                ((Number) row[3]).longValue());
    }

    /** Counts of the records referring to a model, every team's. */
    public record References(long derivedModels, long scores, long calibrationSets, long jobs) {
        public boolean any() {
            return derivedModels + scores + calibrationSets + jobs > 0;
        }
    }

    public Page<ModelEntity> page(TeamScope scope, String parentModelId, String pageToken, int pageSize) {
        String where = scope.readableClause();
        Parameters parameters = scope.readableParameters();
        if (!parentModelId.isEmpty()) {
            where += " and parentModelId = :parent";
            parameters.and("parent", parentModelId);
        }
        return Page.query(this, where, parameters, pageToken, pageSize, model -> model.id);
    }
}
