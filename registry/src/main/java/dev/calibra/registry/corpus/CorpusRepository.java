package dev.calibra.registry.corpus;

import dev.calibra.registry.support.Page;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

@ApplicationScoped
public class CorpusRepository implements PanacheRepositoryBase<CorpusEntity, String> {

    public Optional<CorpusEntity> findOwned(String teamId, String idOrName) {
        return find("teamId = :team and (id = :key or name = :key)", Parameters.with("team", teamId).and("key", idOrName))
                .firstResultOptional();
    }

    public Optional<CorpusEntity> findByContent(String teamId, String sha256, String documentRule) {
        return find("teamId = ?1 and sha256 = ?2 and documentRule = ?3", teamId, sha256, documentRule).firstResultOptional();
    }

    public Page<CorpusEntity> page(String teamId, String pageToken, int pageSize) {
        return Page.query(this, "teamId = :team", Parameters.with("team", teamId), pageToken, pageSize, corpus -> corpus.id);
    }
}
