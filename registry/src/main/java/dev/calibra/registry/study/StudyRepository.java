package dev.calibra.registry.study;

import dev.calibra.registry.support.JdbcBatches;
import dev.calibra.registry.support.Page;
import dev.calibra.registry.team.TeamScope;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Studies, their grid cells (study_job) and the rows a report is built from. */
@ApplicationScoped
public class StudyRepository implements PanacheRepositoryBase<StudyEntity, String> {

    /** One grid cell with its job's current state. */
    public record Cell(int position, String jobId, String type, String model, String method, String source, int setIndex,
            boolean reused, String state, String requestId, String spec, String error) {}

    /** One recorded score of a study's EVALUATE cell, with the lineage of the model it scored. */
    public record CellScore(String model, String method, String source, int setIndex, String evaluateJobId, String task,
            String metric, double value, double stderr, String modelId, String calibrationSetId, String fingerprint,
            String compressJobId) {}

    public Optional<StudyEntity> findVisible(TeamScope scope, String id) {
        return find(scope.readableClause() + " and id = :id", scope.readableParameters().and("id", id)).firstResultOptional();
    }

    public Optional<StudyEntity> findByRequestId(String teamId, String requestId) {
        return find("teamId = ?1 and requestId = ?2", teamId, requestId).firstResultOptional();
    }

    public Page<StudyEntity> page(TeamScope scope, String pageToken, int pageSize) {
        return Page.query(this, scope.readableClause(), scope.readableParameters(), pageToken, pageSize, study -> study.id);
    }

    /** A grid cell to record: its position in the plan, the planned job and the queued job serving it. */
    public record NewCell(int position, String jobId, PlannedJob job, boolean reused) {}

    /** Records the cells in JDBC batches; cells already recorded (a repeated creation) are left as they are. */
    public void addCells(String studyId, List<NewCell> cells) {
        JdbcBatches.execute(getEntityManager(), """
                INSERT INTO study_job (study_id, position, job_id, type, model, method, source, set_index, reused)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (study_id, position) DO NOTHING""", cells, (insert, cell) -> {
                    PlannedJob job = cell.job();
                    insert.setString(1, studyId);
                    insert.setInt(2, cell.position());
                    insert.setString(3, cell.jobId());
                    insert.setString(4, job.type().name().substring("JOB_TYPE_".length()));
                    insert.setString(5, job.model());
                    insert.setString(6, job.method());
                    insert.setString(7, job.source());
                    insert.setInt(8, job.setIndex());
                    insert.setBoolean(9, cell.reused());
                });
    }

    /** How many cells of the study are recorded. */
    public int cellCount(String studyId) {
        return ((Number) getEntityManager().createNativeQuery("SELECT count(*) FROM study_job WHERE study_id = :study")
                .setParameter("study", studyId).getSingleResult()).intValue();
    }

    public List<Cell> cells(String studyId) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = getEntityManager().createNativeQuery("""
                SELECT s.position, s.job_id, s.type, s.model, s.method, s.source, s.set_index, s.reused, j.state,
                       COALESCE(j.request_id, ''), j.spec, j.error
                FROM study_job s JOIN job j ON j.id = s.job_id WHERE s.study_id = :study ORDER BY s.position""")
                .setParameter("study", studyId).getResultList();
        return rows.stream().map(r -> new Cell(((Number) r[0]).intValue(), (String) r[1], (String) r[2], (String) r[3],
                (String) r[4], (String) r[5], ((Number) r[6]).intValue(), (Boolean) r[7], (String) r[8], (String) r[9],
                (String) r[10], (String) r[11])).toList();
    }

    /** For each job of the study's cells, the request ids (or ids) of the jobs it depends on, in dependency-id order. */
    public Map<String, List<String>> dependencyRequestIds(String studyId) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = getEntityManager().createNativeQuery("""
                SELECT d.job_id, COALESCE(j.request_id, j.id) FROM job_dependency d JOIN job j ON j.id = d.depends_on
                WHERE d.job_id IN (SELECT job_id FROM study_job WHERE study_id = :study)
                ORDER BY d.job_id, d.depends_on""").setParameter("study", studyId).getResultList();
        Map<String, List<String>> byJob = new java.util.HashMap<>();
        rows.forEach(r -> byJob.computeIfAbsent((String) r[0], job -> new java.util.ArrayList<>()).add((String) r[1]));
        return byJob;
    }

    /** Distinct jobs of the study by state (a job serving several cells counts once). */
    public Map<String, Integer> jobCounts(String studyId) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = getEntityManager().createNativeQuery("""
                SELECT j.state, count(DISTINCT j.id) FROM study_job s JOIN job j ON j.id = s.job_id
                WHERE s.study_id = :study GROUP BY j.state""").setParameter("study", studyId).getResultList();
        Map<String, Integer> counts = new LinkedHashMap<>();
        rows.forEach(r -> counts.put((String) r[0], ((Number) r[1]).intValue()));
        return counts;
    }

    /**
     * Every score of the study's EVALUATE cells, traced back: score -> evaluate job -> model -> its
     * calibration set's fingerprint and the job that compressed it. A retried evaluation may have
     * recorded a score twice; the latest comes last.
     */
    public List<CellScore> scores(String studyId) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = getEntityManager().createNativeQuery("""
                SELECT s.model, s.method, s.source, s.set_index, s.job_id, sc.task, sc.metric, sc.value, sc.stderr,
                       sc.model_id, COALESCE(m.calibration_set_id, ''), COALESCE(cs.fingerprint, ''),
                       COALESCE(m.producing_job_id, '')
                FROM study_job s
                JOIN score sc ON sc.producing_job_id = s.job_id
                JOIN model m ON m.id = sc.model_id
                LEFT JOIN calibration_set cs ON cs.id = m.calibration_set_id
                WHERE s.study_id = :study AND s.type = 'EVALUATE'
                ORDER BY s.position, sc.task, sc.metric, sc.evaluated_at, sc.id""")
                .setParameter("study", studyId).getResultList();
        return rows.stream().map(r -> new CellScore((String) r[0], (String) r[1], (String) r[2], ((Number) r[3]).intValue(),
                (String) r[4], (String) r[5], (String) r[6], ((Number) r[7]).doubleValue(), ((Number) r[8]).doubleValue(),
                (String) r[9], (String) r[10], (String) r[11], (String) r[12])).toList();
    }
}
