package dev.calibra.registry.calibration;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;

/** Which corpora a calibration set was drawn from (for "sets of corpus X" queries). */
@Entity
@Table(name = "calibration_set_corpus")
@IdClass(CalibrationSetCorpus.Key.class)
public class CalibrationSetCorpus extends PanacheEntityBase {
    @Id public String calibrationSetId;
    @Id public String corpusId;

    /** Composite key. */
    public static class Key implements Serializable {
        public String calibrationSetId;
        public String corpusId;

        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && java.util.Objects.equals(calibrationSetId, key.calibrationSetId)
                    && java.util.Objects.equals(corpusId, key.corpusId);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(calibrationSetId, corpusId);
        }
    }
}
