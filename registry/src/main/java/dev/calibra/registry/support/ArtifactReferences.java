package dev.calibra.registry.support;

import dev.calibra.artifacts.StoreLayout;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.util.List;

/**
 * Every artifact location a record still refers to, every team's: models, calibration sets, and the
 * checkpoints of jobs that may still run. `calibra gc` removes what is not among them.
 */
@ApplicationScoped
public class ArtifactReferences {

    private final EntityManager entityManager;

    public ArtifactReferences(EntityManager entityManager) {
        this.entityManager = entityManager;
    }

    /**
     * The store folders of every unfinished job (StoreLayout): its checkpoints and its attempts' outputs, which
     * exist before any record points at them.
     */
    public List<String> inFlightPrefixes() {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = entityManager.createNativeQuery(
                "SELECT t.name, j.id FROM job j JOIN team t ON t.id = j.team_id WHERE j.state IN ('PENDING', 'RUNNING')")
                .getResultList();
        List<String> prefixes = new java.util.ArrayList<>();
        for (Object[] row : rows) {
            prefixes.add(StoreLayout.checkpoints((String) row[0], (String) row[1]));
            prefixes.add(StoreLayout.model((String) row[0], (String) row[1]) + "-a");
        }
        return prefixes;
    }

    public List<String> all() {
        @SuppressWarnings("unchecked")
        List<String> uris = entityManager.createNativeQuery("""
                SELECT artifact_uri FROM model
                UNION SELECT artifact_uri FROM calibration_set
                UNION SELECT checkpoint_uri FROM job WHERE state IN ('PENDING', 'RUNNING') AND checkpoint_uri <> ''""")
                .getResultList();
        return uris;
    }
}
