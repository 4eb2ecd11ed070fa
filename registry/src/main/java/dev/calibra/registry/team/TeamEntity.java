package dev.calibra.registry.team;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A team owns records; every query is scoped to the caller's team. */
@Entity
@Table(name = "team")
public class TeamEntity extends PanacheEntityBase {
    @Id public String id;
    public String name;
    public Instant createdAt;
}
