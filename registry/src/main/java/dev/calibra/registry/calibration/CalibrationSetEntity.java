package dev.calibra.registry.calibration;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A registered calibration set. Immutable; its fingerprint is the sha256 of its token ids. */
@Entity
@Table(name = "calibration_set")
public class CalibrationSetEntity extends PanacheEntityBase {
    @Id public String id;
    public String teamId;
    public String fingerprint;
    /** JSON of calibra.v1.CalibrationSpec. */
    public String spec;
    public String specKey;
    public String samplerVersion;
    public String tokenizerSha256;
    public String artifactUri;
    public String artifactSha256;
    /** JSON of calibra.v1.CalibrationStatistics. */
    public String statistics;
    public String producingJobId;
    public Instant createdAt;
}
