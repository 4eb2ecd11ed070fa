package dev.calibra.registry.corpus;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A registered text corpus. Immutable. */
@Entity
@Table(name = "corpus")
public class CorpusEntity extends PanacheEntityBase {
    @Id public String id;
    public String teamId;
    public String name;
    public String domain;
    public String sourceUri;
    public String sha256;
    public long documentCount;
    public String split;
    public String documentRule;
    public String licence;
    public long sizeBytes;
    public Instant createdAt;
}
