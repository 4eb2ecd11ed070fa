package dev.calibra.registry.study;

import dev.calibra.proto.v1.JobState;
import dev.calibra.proto.v1.JobType;
import dev.calibra.proto.v1.Study;
import dev.calibra.proto.v1.StudyJob;
import dev.calibra.proto.v1.StudySpec;
import dev.calibra.proto.v1.StudyState;
import dev.calibra.registry.job.JobEntity;
import dev.calibra.registry.job.JobLifecycle;
import dev.calibra.registry.job.JobTypes;
import dev.calibra.registry.support.Json;
import dev.calibra.registry.support.Times;
import dev.calibra.registry.team.Caller;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;

/** Study rows, with their job counts and cells, to calibra.v1.Study. */
@ApplicationScoped
public class StudyMapper {

    private final Caller caller;
    private final StudyService studies;

    public StudyMapper(Caller caller, StudyService studies) {
        this.caller = caller;
        this.studies = studies;
    }

    /** The study with its counts; with {@code withJobs}, every cell of the grid too. */
    public Study study(StudyEntity row, boolean withJobs) {
        Study.Builder study = header(row);
        if (!row.id.isEmpty()) {
            Map<String, Integer> counts = studies.counts(row.id);
            study.setJobsPending(counts.getOrDefault(JobLifecycle.State.PENDING.name(), 0))
                    .setJobsRunning(counts.getOrDefault(JobLifecycle.State.RUNNING.name(), 0))
                    .setJobsSucceeded(counts.getOrDefault(JobLifecycle.State.SUCCEEDED.name(), 0))
                    .setJobsFailed(counts.getOrDefault(JobLifecycle.State.FAILED.name(), 0))
                    .setJobsCancelled(counts.getOrDefault(JobLifecycle.State.CANCELLED.name(), 0))
                    .setJobsTotal(counts.values().stream().mapToInt(Integer::intValue).sum());
        }
        if (withJobs && !row.id.isEmpty()) {
            Map<String, List<String>> dependencies = studies.dependencyRequestIds(row.id);
            for (StudyRepository.Cell cell : studies.cells(row.id)) {
                study.addJobs(StudyJob.newBuilder().setJobId(cell.jobId()).setType(JobTypes.toProto(cell.type()))
                        .setModel(cell.model()).setMethod(cell.method()).setSource(cell.source()).setSetIndex(cell.setIndex())
                        .setRequestId(cell.requestId()).setState(JobLifecycle.State.stored(cell.state()).toProto())
                        .setSpec(StudyService.spec(cell.spec())).addAllDependsOn(dependencies.getOrDefault(cell.jobId(), List.of()))
                        .setReused(cell.reused()));
            }
        }
        return study.build();
    }

    /** A dry run: the planned cells, and for each the job that already does that work, if any. */
    public Study plan(StudyEntity draft, List<PlannedJob> plan, Map<String, JobEntity> existing) {
        Study.Builder study = header(draft);
        java.util.Set<String> distinct = new java.util.HashSet<>();
        for (PlannedJob job : plan) {
            JobEntity found = existing.get(job.requestId());
            study.addJobs(StudyJob.newBuilder().setJobId(found == null ? "" : found.id).setType(job.type())
                    .setModel(job.model()).setMethod(job.method()).setSource(job.source()).setSetIndex(job.setIndex())
                    .setRequestId(job.requestId()).setState(found == null ? JobState.JOB_STATE_UNSPECIFIED : found.state.toProto())
                    .setSpec(job.spec()).addAllDependsOn(job.dependsOn()).setReused(found != null));
            if (distinct.add(job.requestId())) {
                study.setJobsTotal(study.getJobsTotal() + 1);
            }
        }
        return study.build();
    }

    private Study.Builder header(StudyEntity row) {
        return Study.newBuilder().setId(row.id).setName(row.name)
                .setSpec(Json.toMessage(row.spec, StudySpec.newBuilder()))
                .setState(switch (row.state) {
                    case StudyService.RUNNING -> StudyState.STUDY_STATE_RUNNING;
                    case StudyService.FINISHED -> StudyState.STUDY_STATE_FINISHED;
                    case StudyService.CANCELLED -> StudyState.STUDY_STATE_CANCELLED;
                    default -> throw new IllegalArgumentException("study state " + row.state + " is not known");
                })
                .setRequestId(row.requestId == null ? "" : row.requestId)
                .setTeam(caller.teamName(row.teamId))
                .setCreatedAt(Times.of(row.createdAt))
                .setFinishedAt(Times.of(row.finishedAt));
    }

    static JobType type(String name) {
        return JobTypes.toProto(name);
    }
}
