package dev.calibra.registry.support;

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
