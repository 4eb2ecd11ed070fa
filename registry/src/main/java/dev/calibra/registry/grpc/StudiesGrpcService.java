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
import dev.calibra.registry.study.StudyEntity;
import dev.calibra.registry.study.StudyMapper;
import dev.calibra.registry.study.StudyReports;
import dev.calibra.registry.study.StudyService;
import dev.calibra.registry.support.Page;
import dev.calibra.registry.support.StreamPoller;
import dev.calibra.registry.team.Caller;
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

    public StudiesGrpcService(Caller caller, StudyService studies, StudyMapper mapper, StudyReports reports, StreamPoller poller,
            @ConfigProperty(name = "calibra.jobs.watch-poll-millis") long watchPollMillis) {
        this.caller = caller;
        this.studies = studies;
        this.mapper = mapper;
        this.reports = reports;
        this.poller = poller;
        this.watchPollMillis = watchPollMillis;
    }

    @Override
    public void createStudy(CreateStudyRequest request, StreamObserver<Study> response) {
        Rpc.unary(response, () -> {
            StudyService.Created created = studies.create(caller.teamId(), request);
            return request.getDryRun() ? mapper.plan(created.study(), created.plan(), created.existing())
                    : mapper.study(studies.get(caller.teamId(), created.study().id), true);
        });
    }

    @Override
    public void getStudy(GetStudyRequest request, StreamObserver<Study> response) {
        Rpc.unary(response, () -> mapper.study(studies.get(caller.teamId(), request.getId()), true));
    }

    @Override
    public void watchStudy(WatchStudyRequest request, StreamObserver<Study> response) {
        String teamId = caller.teamId();
        try {
            studies.get(teamId, request.getId());
        } catch (RuntimeException unknownStudy) {
            response.onError(GrpcErrors.toStatus(unknownStudy));
            return;
        }
        // The counts and state are the version: a change of either is an event.
        poller.follow((ServerCallStreamObserver<Study>) response, watchPollMillis,
                () -> mapper.study(studies.get(teamId, request.getId()), false),
                study -> study.toBuilder().clearCreatedAt().build(),
                study -> study.getState() != dev.calibra.proto.v1.StudyState.STUDY_STATE_RUNNING,
                study -> study);
    }

    @Override
    public void getStudyReport(GetStudyReportRequest request, StreamObserver<StudyReport> response) {
        Rpc.unary(response, () -> reports.report(caller.teamId(), request.getId()));
    }

    @Override
    public void listStudies(ListStudiesRequest request, StreamObserver<ListStudiesResponse> response) {
        Rpc.unary(response, () -> {
            Page<StudyEntity> page = studies.list(caller.teamId(), request.getPageToken(), request.getPageSize());
            return ListStudiesResponse.newBuilder()
                    .addAllStudies(page.items().stream().map(study -> mapper.study(studies.get(caller.teamId(), study.id), false)).toList())
                    .setNextPageToken(page.nextPageToken()).build();
        });
    }

    @Override
    public void cancelStudy(CancelStudyRequest request, StreamObserver<Study> response) {
        Rpc.unary(response, () -> mapper.study(studies.cancel(caller.teamId(), request.getId()), true));
    }
}
