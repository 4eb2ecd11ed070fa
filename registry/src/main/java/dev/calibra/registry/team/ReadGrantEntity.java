package dev.calibra.registry.team;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

/** The owner team lets the reader team read its records. */
@Entity
@Table(name = "read_grant")
@IdClass(ReadGrantEntity.Key.class)
public class ReadGrantEntity extends PanacheEntityBase {
    @Id public String ownerTeamId;
    @Id public String readerTeamId;
    public Instant createdAt;

    /** Composite key. */
    public static class Key implements Serializable {
        public String ownerTeamId;
        public String readerTeamId;

        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && Objects.equals(ownerTeamId, key.ownerTeamId)
                    && Objects.equals(readerTeamId, key.readerTeamId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(ownerTeamId, readerTeamId);
        }
    }
}
