package dev.calibra.registry.calibration;

import dev.calibra.registry.support.Page;
import dev.calibra.registry.team.TeamScope;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

@ApplicationScoped
public class CalibrationSetRepository implements PanacheRepositoryBase<CalibrationSetEntity, String> {

    /** By id, or the newest set with that fingerprint (the caller's own first) among those the scope may read. */
    public Optional<CalibrationSetEntity> findVisible(TeamScope scope, String idOrFingerprint) {
        return find(scope.readableClause() + " and (id = :key or fingerprint = :key) order by case when teamId = :own then 0 else 1 end, id desc",
                scope.readableParameters().and("key", idOrFingerprint).and("own", scope.teamId()))
                .firstResultOptional();
    }

    public Optional<CalibrationSetEntity> findBySpec(String teamId, String fingerprint, String specKey) {
        return find("teamId = ?1 and fingerprint = ?2 and specKey = ?3", teamId, fingerprint, specKey).firstResultOptional();
    }

    public Page<CalibrationSetEntity> page(TeamScope scope, String corpusId, String pageToken, int pageSize) {
        String where = scope.readableClause();
        Parameters parameters = scope.readableParameters();
        if (!corpusId.isEmpty()) {
            where += " and id in (select link.calibrationSetId from CalibrationSetCorpus link where link.corpusId = :corpus)";
            parameters.and("corpus", corpusId);
        }
        return Page.query(this, where, parameters, pageToken, pageSize, set -> set.id);
    }
}
