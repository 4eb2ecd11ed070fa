package dev.calibra.registry.model;

import dev.calibra.registry.support.Page;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

@ApplicationScoped
public class ModelRepository implements PanacheRepositoryBase<ModelEntity, String> {

    /** A model of the team, by id or by name. */
    public Optional<ModelEntity> findOwned(String teamId, String idOrName) {
        return find("teamId = :team and (id = :key or name = :key)", Parameters.with("team", teamId).and("key", idOrName))
                .firstResultOptional();
    }

    public Optional<ModelEntity> findByName(String teamId, String name) {
        return find("teamId = ?1 and name = ?2", teamId, name).firstResultOptional();
    }

    public Page<ModelEntity> page(String teamId, String parentModelId, String pageToken, int pageSize) {
        String where = "teamId = :team";
        Parameters parameters = Parameters.with("team", teamId);
        if (!parentModelId.isEmpty()) {
            where += " and parentModelId = :parent";
            parameters.and("parent", parentModelId);
        }
        return Page.query(this, where, parameters, pageToken, pageSize, model -> model.id);
    }
}
