package dev.calibra.registry.score;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** One recorded evaluation result. Immutable. */
@Entity
@Table(name = "score")
public class ScoreEntity extends PanacheEntityBase {
    @Id public String id;
    public String teamId;
    public String modelId;
    public String task;
    public String metric;
    public double value;
    public double stderr;
    public long n;
    /** JSON object of strings. */
    public String settings;
    /** JSON object of strings. */
    public String environment;
    public String producingJobId;
    public Instant evaluatedAt;
}
