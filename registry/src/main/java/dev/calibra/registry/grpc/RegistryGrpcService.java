package dev.calibra.registry.grpc;

import dev.calibra.proto.v1.CalibrationSet;
import dev.calibra.proto.v1.Corpus;
import dev.calibra.proto.v1.DeleteModelRequest;
import dev.calibra.proto.v1.GetCalibrationSetRequest;
import dev.calibra.proto.v1.GetCorpusRequest;
import dev.calibra.proto.v1.GetModelRequest;
import dev.calibra.proto.v1.ListCalibrationSetsRequest;
import dev.calibra.proto.v1.ListCalibrationSetsResponse;
import dev.calibra.proto.v1.ListCorporaRequest;
import dev.calibra.proto.v1.ListCorporaResponse;
import dev.calibra.proto.v1.ListModelsRequest;
import dev.calibra.proto.v1.ListModelsResponse;
import dev.calibra.proto.v1.Model;
import dev.calibra.proto.v1.QueryScoresRequest;
import dev.calibra.proto.v1.QueryScoresResponse;
import dev.calibra.proto.v1.RecordScoresRequest;
import dev.calibra.proto.v1.RecordScoresResponse;
import dev.calibra.proto.v1.RegisterCalibrationSetRequest;
import dev.calibra.proto.v1.RegisterCorpusRequest;
import dev.calibra.proto.v1.RegisterModelRequest;
import dev.calibra.proto.v1.RegistryGrpc;
import dev.calibra.proto.v1.UpdateModelRequest;
import dev.calibra.registry.calibration.CalibrationSetEntity;
import dev.calibra.registry.calibration.CalibrationSetService;
import dev.calibra.registry.corpus.CorpusEntity;
import dev.calibra.registry.corpus.CorpusService;
import dev.calibra.registry.model.ModelEntity;
import dev.calibra.registry.model.ModelService;
import dev.calibra.registry.score.ScoreEntity;
import dev.calibra.registry.score.ScoreService;
import dev.calibra.registry.support.Page;
import dev.calibra.registry.team.Caller;
import dev.calibra.rpc.Rpc;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;

/** calibra.v1.Registry: translates messages and delegates to the aggregates' services. */
@GrpcService
@Blocking
public class RegistryGrpcService extends RegistryGrpc.RegistryImplBase {

    private final Caller caller;
    private final RecordMapper mapper;
    private final ModelService models;
    private final CorpusService corpora;
    private final CalibrationSetService calibrationSets;
    private final ScoreService scores;

    public RegistryGrpcService(Caller caller, RecordMapper mapper, ModelService models, CorpusService corpora,
            CalibrationSetService calibrationSets, ScoreService scores) {
        this.caller = caller;
        this.mapper = mapper;
        this.models = models;
        this.corpora = corpora;
        this.calibrationSets = calibrationSets;
        this.scores = scores;
    }

    @Override
    public void registerModel(RegisterModelRequest request, StreamObserver<Model> response) {
        Rpc.unary(response, () -> mapper.model(models.register(caller.scope(), request)));
    }

    @Override
    public void getModel(GetModelRequest request, StreamObserver<Model> response) {
        Rpc.unary(response, () -> mapper.model(models.get(caller.scope(), request.getId())));
    }

    @Override
    public void listModels(ListModelsRequest request, StreamObserver<ListModelsResponse> response) {
        Rpc.unary(response, () -> {
            Page<ModelEntity> page = models.list(caller.scope(), request.getParentModelId(), request.getPageToken(),
                    request.getPageSize());
            return ListModelsResponse.newBuilder()
                    .addAllModels(page.items().stream().map(mapper::model).toList())
                    .setNextPageToken(page.nextPageToken())
                    .build();
        });
    }

    @Override
    public void registerCorpus(RegisterCorpusRequest request, StreamObserver<Corpus> response) {
        Rpc.unary(response, () -> mapper.corpus(corpora.register(caller.teamId(), request)));
    }

    @Override
    public void getCorpus(GetCorpusRequest request, StreamObserver<Corpus> response) {
        Rpc.unary(response, () -> mapper.corpus(corpora.get(caller.scope(), request.getId())));
    }

    @Override
    public void listCorpora(ListCorporaRequest request, StreamObserver<ListCorporaResponse> response) {
        Rpc.unary(response, () -> {
            Page<CorpusEntity> page = corpora.list(caller.scope(), request.getPageToken(), request.getPageSize());
            return ListCorporaResponse.newBuilder()
                    .addAllCorpora(page.items().stream().map(mapper::corpus).toList())
                    .setNextPageToken(page.nextPageToken())
                    .build();
        });
    }

    @Override
    public void registerCalibrationSet(RegisterCalibrationSetRequest request, StreamObserver<CalibrationSet> response) {
        Rpc.unary(response, () -> mapper.calibrationSet(calibrationSets.register(caller.scope(), request)));
    }

    @Override
    public void getCalibrationSet(GetCalibrationSetRequest request, StreamObserver<CalibrationSet> response) {
        Rpc.unary(response, () -> mapper.calibrationSet(calibrationSets.get(caller.scope(), request.getId())));
    }

    @Override
    public void listCalibrationSets(ListCalibrationSetsRequest request, StreamObserver<ListCalibrationSetsResponse> response) {
        Rpc.unary(response, () -> {
            Page<CalibrationSetEntity> page = calibrationSets.list(caller.scope(), request.getCorpusId(),
                    request.getPageToken(), request.getPageSize());
            return ListCalibrationSetsResponse.newBuilder()
                    .addAllCalibrationSets(page.items().stream().map(mapper::calibrationSet).toList())
                    .setNextPageToken(page.nextPageToken())
                    .build();
        });
    }

    @Override
    public void recordScores(RecordScoresRequest request, StreamObserver<RecordScoresResponse> response) {
        Rpc.unary(response, () -> RecordScoresResponse.newBuilder()
                .addAllScores(scores.record(caller.scope(), request).stream().map(mapper::score).toList())
                .build());
    }

    @Override
    public void queryScores(QueryScoresRequest request, StreamObserver<QueryScoresResponse> response) {
        Rpc.unary(response, () -> {
            Page<ScoreEntity> page = scores.query(caller.scope(), request.getModelId(), request.getTask(), request.getMetric(),
                    request.getPageToken(), request.getPageSize());
            return QueryScoresResponse.newBuilder()
                    .addAllScores(page.items().stream().map(mapper::score).toList())
                    .setNextPageToken(page.nextPageToken())
                    .build();
        });
    }

    @Override
    public void updateModel(UpdateModelRequest request, StreamObserver<Model> response) {
        Rpc.unary(response, () -> mapper.model(models.update(caller.scope(), request)));
    }

    @Override
    public void deleteModel(DeleteModelRequest request, StreamObserver<Model> response) {
        Rpc.unary(response, () -> mapper.model(models.delete(caller.scope(), request.getId())));
    }
}
