package dev.calibra.registry.study;

import dev.calibra.proto.v1.StudyReport;
import dev.calibra.registry.team.TeamScope;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;

/** GetStudyReport: the study's traced scores, aggregated, with findings. Works on a running study too. */
@ApplicationScoped
public class StudyReports {

    private final StudyService studies;
    private final StudyRepository repository;
    private final StudyMapper mapper;

    public StudyReports(StudyService studies, StudyRepository repository, StudyMapper mapper) {
        this.studies = studies;
        this.repository = repository;
        this.mapper = mapper;
    }

    public StudyReport report(TeamScope scope, String id) {
        StudyEntity study = studies.get(scope, id);
        ReportAggregator.Aggregated aggregated = ReportAggregator.aggregate(
                QuarkusTransaction.requiringNew().call(() -> repository.scores(id)));
        return StudyReport.newBuilder()
                .setStudy(mapper.study(study, true))
                .addAllGroups(aggregated.groups())
                .addAllBaselines(aggregated.baselines())
                .addAllFindings(Findings.of(aggregated.groups(), aggregated.baselines()))
                .build();
    }
}
