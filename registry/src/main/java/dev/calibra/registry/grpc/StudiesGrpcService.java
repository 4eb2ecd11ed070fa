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
import dev.calibra.rpc.CalibraException;
import dev.calibra.rpc.Rpc;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;

/**
 * calibra.v1.Studies. The contract is final; study orchestration is not built yet, so every call
 * answers UNIMPLEMENTED with a sentence instead of pretending.
 */
@GrpcService
@Blocking
public class StudiesGrpcService extends StudiesGrpc.StudiesImplBase {

    private static final String NOT_YET = "studies (grid expansion, orchestration and reports)";

    @Override
    public void createStudy(CreateStudyRequest request, StreamObserver<Study> response) {
        Rpc.unary(response, () -> { throw CalibraException.unimplemented(NOT_YET); });
    }

    @Override
    public void getStudy(GetStudyRequest request, StreamObserver<Study> response) {
        Rpc.unary(response, () -> { throw CalibraException.unimplemented(NOT_YET); });
    }

    @Override
    public void watchStudy(WatchStudyRequest request, StreamObserver<Study> response) {
        Rpc.stream(response, out -> { throw CalibraException.unimplemented(NOT_YET); });
    }

    @Override
    public void getStudyReport(GetStudyReportRequest request, StreamObserver<StudyReport> response) {
        Rpc.unary(response, () -> { throw CalibraException.unimplemented(NOT_YET); });
    }

    @Override
    public void listStudies(ListStudiesRequest request, StreamObserver<ListStudiesResponse> response) {
        Rpc.unary(response, () -> ListStudiesResponse.getDefaultInstance());
    }

    @Override
    public void cancelStudy(CancelStudyRequest request, StreamObserver<Study> response) {
        Rpc.unary(response, () -> { throw CalibraException.unimplemented(NOT_YET); });
    }
}
