package dev.calibra.registry.study;

import dev.calibra.proto.v1.Study;
import dev.calibra.proto.v1.StudyReport;
import dev.calibra.registry.team.TeamScope;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.Map;

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
        Study described = mapper.study(study, true);
        Map<String, String> methodOf = new HashMap<>();
        described.getSpec().getMethodsList().forEach(method -> methodOf.put(method.getLabel(), method.getMethod()));
        return StudyReport.newBuilder()
                .setStudy(described)
                .addAllGroups(aggregated.groups())
                .addAllBaselines(aggregated.baselines())
                .addAllFindings(Findings.of(aggregated.groups(), aggregated.baselines(), methodOf))
                .build();
    }
}
