package dev.calibra.evaluation.grpc;

import dev.calibra.evaluation.service.Evaluator;
import dev.calibra.proto.v1.EvaluateEvent;
import dev.calibra.proto.v1.EvaluateRequest;
import dev.calibra.proto.v1.EvaluationGrpc;
import dev.calibra.proto.v1.ListTasksRequest;
import dev.calibra.proto.v1.ListTasksResponse;
import dev.calibra.rpc.Rpc;
import dev.calibra.runtime.grpc.DirectCall;
import dev.calibra.runtime.grpc.DirectCallSlots;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;

/** calibra.v1.Evaluation: translates and delegates to {@link Evaluator}. */
@GrpcService
@Blocking
public class EvaluationGrpcService extends EvaluationGrpc.EvaluationImplBase {

    private final Evaluator evaluator;
    private final DirectCallSlots slots;

    public EvaluationGrpcService(Evaluator evaluator, DirectCallSlots slots) {
        this.evaluator = evaluator;
        this.slots = slots;
    }

    /** Stops at the next progress report once the caller cancels, as a job stops at its heartbeat. */
    @Override
    public void evaluate(EvaluateRequest request, StreamObserver<EvaluateEvent> response) {
        DirectCall call = DirectCall.current();
        Rpc.stream(response, out -> {
            try (DirectCallSlots.Slot slot = slots.acquire("Evaluate")) {
                var result = evaluator.evaluate(request, progress -> {
                    call.checkStop();
                    out.onNext(EvaluateEvent.newBuilder().setProgress(progress).build());
                }, "");
                out.onNext(EvaluateEvent.newBuilder().setResult(result).build());
            }
        });
    }

    @Override
    public void listTasks(ListTasksRequest request, StreamObserver<ListTasksResponse> response) {
        Rpc.unary(response, evaluator::listTasks);
    }
}
