package dev.calibra.registry.corpus;

import dev.calibra.registry.support.Page;
import dev.calibra.registry.team.TeamScope;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

@ApplicationScoped
public class CorpusRepository implements PanacheRepositoryBase<CorpusEntity, String> {

    /** A corpus the scope may read, by id, by its own team's name or by {@code team/name} ({@link TeamScope#lookup}). */
    public Optional<CorpusEntity> findVisible(TeamScope scope, String idOrName) {
        return scope.lookup(getEntityManager(), "corpus", CorpusEntity.class, idOrName, corpus -> corpus.id, corpus -> corpus.teamId);
    }

    public Optional<CorpusEntity> findByName(String teamId, String name) {
        return find("teamId = ?1 and name = ?2", teamId, name).firstResultOptional();
    }

    public Optional<CorpusEntity> findByContent(String teamId, String sha256, String documentRule) {
        return find("teamId = ?1 and sha256 = ?2 and documentRule = ?3", teamId, sha256, documentRule).firstResultOptional();
    }

    public Page<CorpusEntity> page(TeamScope scope, String pageToken, int pageSize) {
        return Page.query(this, scope.readableClause(), scope.readableParameters(), pageToken, pageSize,
                corpus -> corpus.id);
    }
}
