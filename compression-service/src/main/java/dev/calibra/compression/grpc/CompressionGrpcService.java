package dev.calibra.compression.grpc;

import dev.calibra.compression.service.CompressionService;
import dev.calibra.compression.service.MethodCatalog;
import dev.calibra.compression.service.RunObserver;
import dev.calibra.proto.v1.CompressEvent;
import dev.calibra.proto.v1.CompressRequest;
import dev.calibra.proto.v1.CompressResult;
import dev.calibra.proto.v1.CompressionGrpc;
import dev.calibra.proto.v1.LayerReport;
import dev.calibra.proto.v1.ListMethodsRequest;
import dev.calibra.proto.v1.ListMethodsResponse;
import dev.calibra.proto.v1.Progress;
import dev.calibra.rpc.Rpc;
import dev.calibra.runtime.grpc.DirectCall;
import dev.calibra.runtime.grpc.DirectCallSlots;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;

/** calibra.v1.Compression: translates and delegates to {@link CompressionService}. */
@GrpcService
@Blocking
public class CompressionGrpcService extends CompressionGrpc.CompressionImplBase {

    private final CompressionService service;
    private final DirectCallSlots slots;

    public CompressionGrpcService(CompressionService service, DirectCallSlots slots) {
        this.service = service;
        this.slots = slots;
    }

    /** A direct call registers its model without a producing job (the CLI submits a COMPRESS job instead). */
    @Override
    public void compress(CompressRequest request, StreamObserver<CompressEvent> response) {
        DirectCall call = DirectCall.current();
        Rpc.stream(response, out -> {
            try (DirectCallSlots.Slot slot = slots.acquire("Compress")) {
                CompressResult result = service.compress(request, null, new RunObserver() {
                    @Override
                    public void progress(Progress progress) {
                        out.onNext(CompressEvent.newBuilder().setProgress(progress).build());
                    }

                    @Override
                    public void layer(LayerReport report) {
                        out.onNext(CompressEvent.newBuilder().setLayer(report).build());
                    }

                    @Override
                    public void checkStop() {
                        call.checkStop();
                    }
                });
                out.onNext(CompressEvent.newBuilder().setResult(result).build());
            }
        });
    }

    @Override
    public void listMethods(ListMethodsRequest request, StreamObserver<ListMethodsResponse> response) {
        Rpc.unary(response, MethodCatalog::describe);
    }
}
