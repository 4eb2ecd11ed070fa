package dev.calibra.registry.calibration;

import dev.calibra.registry.support.Page;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

@ApplicationScoped
public class CalibrationSetRepository implements PanacheRepositoryBase<CalibrationSetEntity, String> {

    /** By id, or the newest set with that fingerprint. */
    public Optional<CalibrationSetEntity> findOwned(String teamId, String idOrFingerprint) {
        return find("teamId = :team and (id = :key or fingerprint = :key) order by id desc",
                Parameters.with("team", teamId).and("key", idOrFingerprint)).firstResultOptional();
    }

    public Optional<CalibrationSetEntity> findBySpec(String teamId, String fingerprint, String specKey) {
        return find("teamId = ?1 and fingerprint = ?2 and specKey = ?3", teamId, fingerprint, specKey).firstResultOptional();
    }

    public Page<CalibrationSetEntity> page(String teamId, String corpusId, String pageToken, int pageSize) {
        String where = "teamId = :team";
        Parameters parameters = Parameters.with("team", teamId);
        if (!corpusId.isEmpty()) {
            where += " and id in (select link.calibrationSetId from CalibrationSetCorpus link where link.corpusId = :corpus)";
            parameters.and("corpus", corpusId);
        }
        return Page.query(this, where, parameters, pageToken, pageSize, set -> set.id);
    }
}
