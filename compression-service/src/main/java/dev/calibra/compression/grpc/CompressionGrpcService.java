package dev.calibra.compression.grpc;

import dev.calibra.proto.v1.CompressEvent;
import dev.calibra.proto.v1.CompressRequest;
import dev.calibra.proto.v1.CompressionGrpc;
import dev.calibra.proto.v1.ListMethodsRequest;
import dev.calibra.proto.v1.ListMethodsResponse;
import dev.calibra.rpc.CalibraException;
import dev.calibra.rpc.Rpc;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;

/** calibra.v1.Compression. The model-level driver is not built yet: calls answer UNIMPLEMENTED. */
@GrpcService
@Blocking
public class CompressionGrpcService extends CompressionGrpc.CompressionImplBase {

    private static final String NOT_YET = "model compression";

    @Override
    public void compress(CompressRequest request, StreamObserver<CompressEvent> response) {
        Rpc.stream(response, out -> { throw CalibraException.unimplemented(NOT_YET); });
    }

    @Override
    public void listMethods(ListMethodsRequest request, StreamObserver<ListMethodsResponse> response) {
        Rpc.unary(response, () -> { throw CalibraException.unimplemented(NOT_YET); });
    }
}
