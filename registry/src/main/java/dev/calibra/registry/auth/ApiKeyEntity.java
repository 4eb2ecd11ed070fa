package dev.calibra.registry.auth;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** An API key: only the sha256 of its secret is stored. Changes only by revocation (the database refuses the rest). */
@Entity
@Table(name = "api_key")
public class ApiKeyEntity extends PanacheEntityBase {
    @Id public String id;
    public String teamId;
    /** member, admin or service. */
    public String role;
    public String name;
    /** First characters of the secret, to tell keys apart in listings. */
    public String prefix;
    public String keySha256;
    public Instant createdAt;
    public Instant expiresAt;
    public Instant revokedAt;
}
