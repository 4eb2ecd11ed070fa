package dev.calibra.calibration.grpc;

import dev.calibra.calibration.service.CalibrationService;
import dev.calibra.proto.v1.AddCorpusRequest;
import dev.calibra.proto.v1.CalibrationGrpc;
import dev.calibra.proto.v1.CalibrationSample;
import dev.calibra.proto.v1.CalibrationSet;
import dev.calibra.proto.v1.Corpus;
import dev.calibra.proto.v1.GetCalibrationSetSamplesRequest;
import dev.calibra.proto.v1.ListStrategiesRequest;
import dev.calibra.proto.v1.ListStrategiesResponse;
import dev.calibra.proto.v1.SampleCalibrationSetRequest;
import dev.calibra.rpc.Rpc;
import dev.calibra.runtime.grpc.DirectCall;
import dev.calibra.runtime.grpc.DirectCallSlots;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;

/** calibra.v1.Calibration: translates and delegates to {@link CalibrationService}; errors map in {@link Rpc}. */
@GrpcService
@Blocking
public class CalibrationGrpcService extends CalibrationGrpc.CalibrationImplBase {

    private final CalibrationService service;
    private final DirectCallSlots slots;

    public CalibrationGrpcService(CalibrationService service, DirectCallSlots slots) {
        this.service = service;
        this.slots = slots;
    }

    @Override
    public void addCorpus(AddCorpusRequest request, StreamObserver<Corpus> response) {
        Rpc.unary(response, () -> service.addCorpus(request));
    }

    /**
     * CalibrationService.sample reports no progress, so a cancellation is seen only before the draw starts
     * (a call that waited for a worker thread); once drawing, the set is drawn and registered.
     */
    @Override
    public void sampleCalibrationSet(SampleCalibrationSetRequest request, StreamObserver<CalibrationSet> response) {
        DirectCall call = DirectCall.current();
        Rpc.unary(response, () -> {
            call.checkStop();
            try (DirectCallSlots.Slot slot = slots.acquire("SampleCalibrationSet")) {
                return service.sample(request, CalibrationService.Producer.NONE);
            }
        });
    }

    @Override
    public void getCalibrationSet(GetCalibrationSetSamplesRequest request, StreamObserver<CalibrationSample> response) {
        Rpc.stream(response, out -> service.samples(request, out::onNext));
    }

    @Override
    public void listStrategies(ListStrategiesRequest request, StreamObserver<ListStrategiesResponse> response) {
        Rpc.unary(response, service::strategies);
    }
}
