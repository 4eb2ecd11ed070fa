package dev.calibra.compression.service;

import dev.calibra.proto.v1.CalibrationSet;
import dev.calibra.proto.v1.GetCalibrationSetRequest;
import dev.calibra.proto.v1.GetModelRequest;
import dev.calibra.proto.v1.Model;
import dev.calibra.proto.v1.RegisterModelRequest;
import dev.calibra.proto.v1.RegistryGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.ServerBuilder;
import dev.calibra.rpc.Channels;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The three Registry RPCs the compression service calls, in this JVM on a loopback port: models
 * and calibration sets the test puts in, and a record of every RegisterModel.
 */
final class InProcessRegistry extends RegistryGrpc.RegistryImplBase implements AutoCloseable {

    final Map<String, Model> models = new ConcurrentHashMap<>();
    final Map<String, CalibrationSet> sets = new ConcurrentHashMap<>();
    final List<RegisterModelRequest> registered = new CopyOnWriteArrayList<>();
    private final Server server;
    final ManagedChannel channel;

    InProcessRegistry() throws IOException {
        server = ServerBuilder.forPort(0).addService(this).build().start();
        channel = Channels.open("127.0.0.1:" + server.getPort());
    }

    @Override
    public void getModel(GetModelRequest request, StreamObserver<Model> response) {
        Model model = models.get(request.getId());
        if (model == null) {
            response.onError(Status.NOT_FOUND.withDescription("no model " + request.getId()).asRuntimeException());
            return;
        }
        response.onNext(model);
        response.onCompleted();
    }

    @Override
    public void getCalibrationSet(GetCalibrationSetRequest request, StreamObserver<CalibrationSet> response) {
        CalibrationSet set = sets.get(request.getId());
        if (set == null) {
            response.onError(Status.NOT_FOUND.withDescription("no calibration set " + request.getId()).asRuntimeException());
            return;
        }
        response.onNext(set);
        response.onCompleted();
    }

    /** Refuses registrations under a claim, as the registry does once another attempt holds the job. */
    volatile boolean refuseClaims;

    @Override
    public void registerModel(RegisterModelRequest request, StreamObserver<Model> response) {
        if (refuseClaims && !request.getProducingWorkerId().isEmpty()) {
            response.onError(Status.FAILED_PRECONDITION.withDescription("job " + request.getProducingJobId()
                    + " no longer runs as attempt " + request.getProducingAttempt()).asRuntimeException());
            return;
        }
        registered.add(request);
        response.onNext(Model.newBuilder().setId("mdl-" + registered.size()).setName(request.getName())
                .setArtifactUri(request.getArtifactUri()).setSha256(request.getSha256())
                .setParentModelId(request.getParentModelId()).setProducingJobId(request.getProducingJobId())
                .setCompression(request.getCompression()).setDtype(request.getDtype()).build());
        response.onCompleted();
    }

    @Override
    public void close() {
        channel.shutdownNow();
        server.shutdownNow();
    }
}
