package dev.calibra.registry.model;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A registered model. Immutable except description and tags (the database enforces it). */
@Entity
@Table(name = "model")
public class ModelEntity extends PanacheEntityBase {
    @Id public String id;
    public String teamId;
    public String name;
    public String architecture;
    public long parameterCount;
    public String dtype;
    public String artifactUri;
    public String sha256;
    public String parentModelId;
    public String producingJobId;
    public String compressionMethod;
    /** JSON object of strings. */
    public String compressionParams;
    public String calibrationSetId;
    public String description;
    /** JSON array of strings. */
    public String tags;
    public Instant createdAt;
    /** Hub origin of a pulled base model: all four set, or none. */
    public String originEndpoint;
    public String originRepo;
    public String originRevision;
    public String originCommit;
}
