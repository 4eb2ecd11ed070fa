package dev.calibra.registry.team;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A team owns records; every query is scoped to the caller's team and the teams that granted it read. */
@Entity
@Table(name = "team")
public class TeamEntity extends PanacheEntityBase {
    @Id public String id;
    /** Unique, [a-z][a-z0-9-]{0,63}; never changes (the database refuses). */
    public String name;
    /** Most jobs RUNNING at once; 0 = no limit. */
    public int maxRunningJobs;
    /** Most jobs PENDING at once; 0 = the registry's default (JobQueue). */
    public int maxPendingJobs;
    public Instant createdAt;
}
