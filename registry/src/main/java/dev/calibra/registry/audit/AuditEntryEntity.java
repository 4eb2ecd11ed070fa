package dev.calibra.registry.audit;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** One audited call. Rows are only ever inserted (database triggers refuse UPDATE, DELETE and TRUNCATE). */
@Entity
@Table(name = "audit_log")
public class AuditEntryEntity extends PanacheEntityBase {
    @Id public Long id;
    public Instant at;
    /** Acting team; null when the key was not recognised. */
    public String teamId;
    public String keyId;
    public String role;
    public String method;
    public String target;
    /** gRPC status code name. */
    public String outcome;
    public String detail;
}
