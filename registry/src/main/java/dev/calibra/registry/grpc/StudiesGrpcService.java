package dev.calibra.registry.grpc;

import dev.calibra.proto.v1.CancelStudyRequest;
import dev.calibra.proto.v1.CreateStudyRequest;
import dev.calibra.proto.v1.GetStudyReportRequest;
import dev.calibra.proto.v1.GetStudyRequest;
import dev.calibra.proto.v1.ListStudiesRequest;
import dev.calibra.proto.v1.ListStudiesResponse;
import dev.calibra.proto.v1.StudiesGrpc;
import dev.calibra.proto.v1.Study;
import dev.calibra.proto.v1.StudyReport;
import dev.calibra.proto.v1.WatchStudyRequest;
import dev.calibra.registry.auth.Authenticator;
import dev.calibra.registry.team.Identity;
import dev.calibra.registry.study.StudyEntity;
import dev.calibra.registry.study.StudyMapper;
import dev.calibra.registry.study.StudyReports;
import dev.calibra.registry.study.StudyService;
import dev.calibra.registry.support.Page;
import dev.calibra.registry.support.StreamPoller;
import dev.calibra.registry.team.Caller;
import dev.calibra.registry.team.TeamScope;
import dev.calibra.rpc.GrpcErrors;
import dev.calibra.rpc.Rpc;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** calibra.v1.Studies: translates and delegates to the study package. */
@GrpcService
@Blocking
public class StudiesGrpcService extends StudiesGrpc.StudiesImplBase {

    private final Caller caller;
    private final StudyService studies;
    private final StudyMapper mapper;
    private final StudyReports reports;
    private final StreamPoller poller;
    private final long watchPollMillis;

    private final Authenticator authenticator;

    public StudiesGrpcService(Caller caller, StudyService studies, StudyMapper mapper, StudyReports reports, StreamPoller poller,
            Authenticator authenticator, @ConfigProperty(name = "calibra.jobs.watch-poll-millis") long watchPollMillis) {
        this.caller = caller;
        this.authenticator = authenticator;
        this.studies = studies;
        this.mapper = mapper;
        this.reports = reports;
        this.poller = poller;
        this.watchPollMillis = watchPollMillis;
    }

    @Override
    public void createStudy(CreateStudyRequest request, StreamObserver<Study> response) {
        Rpc.unary(response, () -> {
            StudyService.Created created = studies.create(caller.scope(), request, caller.traceParent());
            return request.getDryRun() ? mapper.plan(created.study(), created.plan(), created.existing())
                    : mapper.study(studies.get(caller.scope(), created.study().id), true);
        });
    }

    @Override
    public void getStudy(GetStudyRequest request, StreamObserver<Study> response) {
        Rpc.unary(response, () -> mapper.study(studies.get(caller.scope(), request.getId()), true));
    }

    @Override
    public void watchStudy(WatchStudyRequest request, StreamObserver<Study> response) {
        TeamScope scope = caller.scope();
        Identity identity = caller.identity();
        try {
            studies.get(scope, request.getId());
        } catch (RuntimeException unknownStudy) {
            response.onError(GrpcErrors.toStatus(unknownStudy));
            return;
        }
        // The counts and state are the version: a change of either is an event.
        poller.follow((ServerCallStreamObserver<Study>) response, watchPollMillis,
                () -> mapper.study(studies.get(authenticator.refresh(identity).scope(), request.getId()), false),
                study -> study.toBuilder().clearCreatedAt().build(),
                study -> study.getState() != dev.calibra.proto.v1.StudyState.STUDY_STATE_RUNNING,
                study -> study);
    }

    @Override
    public void getStudyReport(GetStudyReportRequest request, StreamObserver<StudyReport> response) {
        Rpc.unary(response, () -> reports.report(caller.scope(), request.getId()));
    }

    @Override
    public void listStudies(ListStudiesRequest request, StreamObserver<ListStudiesResponse> response) {
        Rpc.unary(response, () -> {
            TeamScope scope = caller.scope();
            Page<StudyEntity> page = studies.list(scope, request.getPageToken(), request.getPageSize());
            return ListStudiesResponse.newBuilder()
                    .addAllStudies(page.items().stream().map(study -> mapper.study(studies.get(scope, study.id), false)).toList())
                    .setNextPageToken(page.nextPageToken()).build();
        });
    }

    @Override
    public void cancelStudy(CancelStudyRequest request, StreamObserver<Study> response) {
        Rpc.unary(response, () -> mapper.study(studies.cancel(caller.scope(), request.getId()), true));
    }
}
