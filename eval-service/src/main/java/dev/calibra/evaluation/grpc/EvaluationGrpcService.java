package dev.calibra.evaluation.grpc;

import dev.calibra.proto.v1.EvaluateEvent;
import dev.calibra.proto.v1.EvaluateRequest;
import dev.calibra.proto.v1.EvaluationGrpc;
import dev.calibra.proto.v1.ListTasksRequest;
import dev.calibra.proto.v1.ListTasksResponse;
import dev.calibra.rpc.CalibraException;
import dev.calibra.rpc.Rpc;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;

/** calibra.v1.Evaluation. Evaluation is not built yet: calls answer UNIMPLEMENTED with a sentence. */
@GrpcService
@Blocking
public class EvaluationGrpcService extends EvaluationGrpc.EvaluationImplBase {

    private static final String NOT_YET = "model evaluation";

    @Override
    public void evaluate(EvaluateRequest request, StreamObserver<EvaluateEvent> response) {
        Rpc.stream(response, out -> { throw CalibraException.unimplemented(NOT_YET); });
    }

    @Override
    public void listTasks(ListTasksRequest request, StreamObserver<ListTasksResponse> response) {
        Rpc.unary(response, () -> { throw CalibraException.unimplemented(NOT_YET); });
    }
}
