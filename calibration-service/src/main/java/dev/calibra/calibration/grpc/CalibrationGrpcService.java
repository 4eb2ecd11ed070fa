package dev.calibra.calibration.grpc;

import dev.calibra.proto.v1.AddCorpusRequest;
import dev.calibra.proto.v1.CalibrationGrpc;
import dev.calibra.proto.v1.CalibrationSample;
import dev.calibra.proto.v1.CalibrationSet;
import dev.calibra.proto.v1.Corpus;
import dev.calibra.proto.v1.GetCalibrationSetSamplesRequest;
import dev.calibra.proto.v1.ListStrategiesRequest;
import dev.calibra.proto.v1.ListStrategiesResponse;
import dev.calibra.proto.v1.SampleCalibrationSetRequest;
import dev.calibra.rpc.CalibraException;
import dev.calibra.rpc.Rpc;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;

/** calibra.v1.Calibration. Sampling is not built yet: its calls answer UNIMPLEMENTED with a sentence. */
@GrpcService
@Blocking
public class CalibrationGrpcService extends CalibrationGrpc.CalibrationImplBase {

    private static final String NOT_YET = "corpus registration and calibration-set sampling";

    @Override
    public void addCorpus(AddCorpusRequest request, StreamObserver<Corpus> response) {
        Rpc.unary(response, () -> { throw CalibraException.unimplemented(NOT_YET); });
    }

    @Override
    public void sampleCalibrationSet(SampleCalibrationSetRequest request, StreamObserver<CalibrationSet> response) {
        Rpc.unary(response, () -> { throw CalibraException.unimplemented(NOT_YET); });
    }

    @Override
    public void getCalibrationSet(GetCalibrationSetSamplesRequest request, StreamObserver<CalibrationSample> response) {
        Rpc.stream(response, out -> { throw CalibraException.unimplemented(NOT_YET); });
    }

    @Override
    public void listStrategies(ListStrategiesRequest request, StreamObserver<ListStrategiesResponse> response) {
        Rpc.unary(response, () -> { throw CalibraException.unimplemented(NOT_YET); });
    }
}
