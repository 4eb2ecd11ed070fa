package dev.calibra.registry.study;

import dev.calibra.proto.v1.CreateStudyRequest;
import dev.calibra.proto.v1.JobSpec;
import dev.calibra.proto.v1.JobState;
import dev.calibra.proto.v1.StudySpec;
import dev.calibra.proto.v1.SubmitJobRequest;
import dev.calibra.registry.corpus.CorpusRepository;
import dev.calibra.registry.job.JobEntity;
import dev.calibra.registry.job.JobQueue;
import dev.calibra.registry.job.JobRepository;
import dev.calibra.registry.job.JobLifecycle;
import dev.calibra.registry.job.JobTypes;
import dev.calibra.registry.model.ModelRepository;
import dev.calibra.registry.support.Checks;
import dev.calibra.registry.support.Ids;
import dev.calibra.registry.support.Json;
import dev.calibra.registry.support.Page;
import dev.calibra.registry.support.Times;
import dev.calibra.registry.team.TeamScope;
import dev.calibra.rpc.CalibraException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Creates studies (validate, expand, queue), reads their progress and cancels them. Creation is one
 * transaction (the study, its jobs and its cells commit together) and idempotent by request id; work
 * another study already queued is reused, and finished jobs are never redone.
 */
@ApplicationScoped
public class StudyService {

    public static final String RUNNING = "RUNNING";
    public static final String FINISHED = "FINISHED";
    public static final String CANCELLED = "CANCELLED";
    private static final int MAX_RETRIES = 20;

    /** A study and, for a dry run, the plan that was not queued. */
    public record Created(StudyEntity study, List<PlannedJob> plan, Map<String, JobEntity> existing) {}

    private final StudyRepository studies;
    private final JobQueue queue;
    private final JobRepository jobs;
    private final ModelRepository models;
    private final CorpusRepository corpora;
    private final int maxJobs;

    public StudyService(StudyRepository studies, JobQueue queue, JobRepository jobs, ModelRepository models,
            CorpusRepository corpora, @ConfigProperty(name = "calibra.studies.max-jobs") int maxJobs) {
        this.maxJobs = maxJobs;
        this.studies = studies;
        this.queue = queue;
        this.jobs = jobs;
        this.models = models;
        this.corpora = corpora;
    }

    /**
     * Validates, expands and queues a study of the scope's team. Models and corpora may be any the team
     * can read; the study and its jobs are the team's.
     *
     * @param traceParent W3C traceparent of the CreateStudy call, given to every job it queues
     */
    public Created create(TeamScope scope, CreateStudyRequest request, String traceParent) {
        String teamId = scope.teamId();
        if (request.hasSpec() == !request.getSpecYaml().isBlank()) {
            throw CalibraException.invalidArgument("give exactly one of spec and spec_yaml");
        }
        String requestId = request.getRequestId().strip();
        if (!requestId.isEmpty() && !request.getDryRun()) {
            Optional<StudyEntity> earlier = QuarkusTransaction.requiringNew().call(() -> studies.findByRequestId(teamId, requestId));
            if (earlier.isPresent()) {
                StudyEntity study = earlier.get();
                StudySpec spec = Json.toMessage(study.spec, StudySpec.newBuilder()).build();
                List<PlannedJob> plan = StudyGrid.expand(spec, modelNames(scope, spec));
                // Creation is one transaction; a study queued only in part was left by an older registry.
                QuarkusTransaction.requiringNew().run(() -> {
                    if (studies.cellCount(study.id) < plan.size()) {
                        queueJobs(scope, study, plan, traceParent);
                    }
                });
                return new Created(study, List.of(), Map.of());
            }
        }
        SpecErrors errors = new SpecErrors();
        StudySpec parsed = request.hasSpec() ? request.getSpec() : StudySpecYaml.parse(request.getSpecYaml(), errors);
        StudySpecValidator.Resolved resolved = QuarkusTransaction.requiringNew().call(() -> validator(scope).validate(parsed, errors));
        errors.throwIfAny();
        List<PlannedJob> plan = StudyGrid.expand(resolved.spec(), resolved.modelNames());
        if (plan.size() > maxJobs) {
            throw CalibraException.invalidArgument("the study's grid plans " + plan.size() + " jobs, more than a study may"
                    + " queue (calibra.studies.max-jobs = " + maxJobs + "); split it into several studies");
        }
        if (request.getDryRun()) {
            Map<String, JobEntity> existing = QuarkusTransaction.requiringNew().call(() ->
                    jobs.findByRequestIds(teamId, plan.stream().map(PlannedJob::requestId).toList()));
            StudyEntity draft = newStudy(teamId, resolved.spec(), request.getSpecYaml(), "");
            draft.id = "";
            return new Created(draft, plan, existing);
        }
        try {
            // The study, its jobs and its cells commit together: a refusal (the team's max_pending_jobs) or a
            // stop midway leaves nothing half-queued.
            StudyEntity study = QuarkusTransaction.requiringNew().call(() -> {
                StudyEntity row = newStudy(teamId, resolved.spec(), request.getSpecYaml(), requestId);
                studies.persist(row);
                studies.flush();
                queueJobs(scope, row, plan, traceParent);
                return row;
            });
            return new Created(study, List.of(), Map.of());
        } catch (RuntimeException raced) {
            // Another CreateStudy with this request id won; its study is the answer.
            StudyEntity winner = requestId.isEmpty() ? null
                    : QuarkusTransaction.requiringNew().call(() -> studies.findByRequestId(teamId, requestId)).orElse(null);
            if (winner == null) {
                throw raced;
            }
            return new Created(winner, List.of(), Map.of());
        }
    }

    private StudyEntity newStudy(String teamId, StudySpec spec, String yaml, String requestId) {
        StudyEntity study = new StudyEntity();
        study.id = Ids.next("std");
        study.teamId = teamId;
        study.name = spec.getName();
        study.spec = Json.ofMessage(spec);
        study.specYaml = yaml;
        study.state = RUNNING;
        study.requestId = requestId.isEmpty() ? null : requestId;
        study.createdAt = Times.now();
        return study;
    }

    /**
     * Queues every cell's job in the caller's transaction, as one batch: the work already in the queue
     * (by request id) is reused, the rest submitted, and the cells recorded; safe to repeat.
     */
    private void queueJobs(TeamScope scope, StudyEntity study, List<PlannedJob> plan, String traceParent) {
        String teamId = scope.teamId();
        JobQueue.Batch batch = queue.batch(scope, traceParent);
        Map<String, JobEntity> found = jobs.findByRequestIds(teamId, plan.stream().map(PlannedJob::requestId).toList());
        // by the work's own request id: the job doing it, and whether another study queued it
        record Queued(String jobId, boolean reused) {}
        Map<String, Queued> queued = new HashMap<>();
        List<StudyRepository.NewCell> cells = new ArrayList<>(plan.size());
        for (int position = 0; position < plan.size(); position++) {
            PlannedJob job = plan.get(position);
            Queued known = queued.get(job.requestId());
            if (known == null) {
                String requestId = job.requestId();
                JobEntity existing = found.get(requestId);
                // Another study's attempt at this work ended FAILED or CANCELLED: this study tries again, under a
                // numbered retry ("~1", "~2", ...), while that study's failures stay reported as they are.
                for (int retry = 1; retry <= MAX_RETRIES && existing != null && failedElsewhere(existing, study.id); retry++) {
                    requestId = job.requestId() + "~" + retry;
                    existing = jobs.findByRequestId(teamId, requestId).orElse(null);
                }
                known = existing != null ? new Queued(existing.id, !study.id.equals(existing.studyId))
                        : new Queued(batch.add(SubmitJobRequest.newBuilder().setSpec(job.spec()).setRequestId(requestId)
                                .setStudyId(study.id).addAllDependsOn(job.dependsOn().stream()
                                        .map(dependency -> queued.get(dependency).jobId()).toList()).build()).id, false);
                queued.put(job.requestId(), known);
            }
            cells.add(new StudyRepository.NewCell(position, known.jobId(), job, known.reused()));
        }
        batch.finish();
        studies.addCells(study.id, cells);
    }

    /** Another study's attempt at this work ended FAILED or CANCELLED. */
    private static boolean failedElsewhere(JobEntity job, String studyId) {
        return !studyId.equals(job.studyId)
                && (job.state == JobLifecycle.State.FAILED || job.state == JobLifecycle.State.CANCELLED);
    }

    private Map<String, String> modelNames(TeamScope scope, StudySpec spec) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Map<String, String> names = new HashMap<>();
            spec.getModelsList().forEach(id -> models.findVisible(scope, id).ifPresent(model -> names.put(model.id, model.name)));
            return names;
        });
    }

    private StudySpecValidator validator(TeamScope scope) {
        return new StudySpecValidator(
                reference -> models.findVisible(scope, reference).map(m -> new StudySpecValidator.Named(m.id, m.name)),
                reference -> corpora.findVisible(scope, reference).map(c -> new StudySpecValidator.Named(c.id, c.name)));
    }

    /** The study, its state brought up to date: FINISHED once every job has finished. */
    public StudyEntity get(TeamScope scope, String id) {
        Checks.required(id, "id");
        StudyEntity study = QuarkusTransaction.requiringNew().call(() -> studies.findVisible(scope, id))
                .orElseThrow(() -> CalibraException.notFound("study " + id + " does not exist"));
        if (RUNNING.equals(study.state)) {
            Map<String, Integer> counts = counts(id);
            int total = counts.values().stream().mapToInt(Integer::intValue).sum();
            int unfinished = counts.getOrDefault(JobLifecycle.State.PENDING.name(), 0) + counts.getOrDefault(JobLifecycle.State.RUNNING.name(), 0);
            if (total > 0 && unfinished == 0) {
                QuarkusTransaction.requiringNew().run(() -> {
                    StudyEntity row = studies.findById(id);
                    if (RUNNING.equals(row.state)) {
                        row.state = FINISHED;
                        row.finishedAt = Times.now();
                    }
                });
                study.state = FINISHED;
            }
        }
        return study;
    }

    public Map<String, Integer> counts(String studyId) {
        return QuarkusTransaction.requiringNew().call(() -> studies.jobCounts(studyId));
    }

    public List<StudyRepository.Cell> cells(String studyId) {
        return QuarkusTransaction.requiringNew().call(() -> studies.cells(studyId));
    }

    /** For each job of the study's cells, the request ids (or ids) of the jobs it depends on. */
    public Map<String, List<String>> dependencyRequestIds(String studyId) {
        return QuarkusTransaction.requiringNew().call(() -> studies.dependencyRequestIds(studyId));
    }

    public Page<StudyEntity> list(TeamScope scope, String pageToken, int pageSize) {
        return QuarkusTransaction.requiringNew().call(() -> studies.page(scope, pageToken, pageSize));
    }

    /** Cancels the study's unfinished jobs (shared ones too: the study asked for them) and the study. */
    public StudyEntity cancel(TeamScope scope, String id) {
        StudyEntity study = get(scope, id);
        scope.checkChange(study.teamId, "study " + id, "study " + id + " does not exist");
        if (!RUNNING.equals(study.state)) {
            return study;
        }
        for (StudyRepository.Cell cell : cells(id)) {
            if (!JobLifecycle.State.stored(cell.state()).finished()) {
                queue.cancel(scope, cell.jobId(), "study " + id + " was cancelled");
            }
        }
        QuarkusTransaction.requiringNew().run(() -> {
            StudyEntity row = studies.findById(id);
            row.state = CANCELLED;
            row.finishedAt = Times.now();
        });
        return get(scope, id);
    }

    static JobState jobState(String state) {
        return state == null ? JobState.JOB_STATE_UNSPECIFIED : JobLifecycle.State.stored(state).toProto();
    }

    static JobSpec spec(String json) {
        return Json.toMessage(json, JobSpec.newBuilder()).build();
    }
}
