package dev.calibra.registry.study;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A study: its resolved spec (JSON of calibra.v1.StudySpec) and its state; its jobs are in study_job. */
@Entity
@Table(name = "study")
public class StudyEntity extends PanacheEntityBase {
    @Id public String id;
    public String teamId;
    public String name;
    public String spec;
    public String specYaml;
    /** RUNNING, FINISHED or CANCELLED. */
    public String state;
    public String requestId;
    public Instant createdAt;
    public Instant finishedAt;
}
