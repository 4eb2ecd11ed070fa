package dev.calibra.registry.grpc;

import dev.calibra.proto.v1.CalibrationSet;
import dev.calibra.proto.v1.CalibrationSpec;
import dev.calibra.proto.v1.CalibrationStatistics;
import dev.calibra.proto.v1.CompressionLineage;
import dev.calibra.proto.v1.Corpus;
import dev.calibra.proto.v1.Job;
import dev.calibra.proto.v1.JobSpec;
import dev.calibra.proto.v1.Model;
import dev.calibra.proto.v1.ModelOrigin;
import dev.calibra.proto.v1.Progress;
import dev.calibra.proto.v1.Score;
import dev.calibra.registry.calibration.CalibrationSetEntity;
import dev.calibra.registry.corpus.CorpusEntity;
import dev.calibra.registry.job.JobEntity;
import dev.calibra.registry.job.JobLifecycle;
import dev.calibra.registry.job.JobTypes;
import dev.calibra.registry.model.ModelEntity;
import dev.calibra.registry.score.ScoreEntity;
import dev.calibra.registry.support.Json;
import dev.calibra.registry.support.Times;
import dev.calibra.registry.team.Caller;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/** Registry rows to their calibra.v1 messages. */
@ApplicationScoped
public class RecordMapper {

    private final Caller caller;

    public RecordMapper(Caller caller) {
        this.caller = caller;
    }

    public Model model(ModelEntity row) {
        Model.Builder model = Model.newBuilder()
                .setId(row.id)
                .setName(row.name)
                .setArchitecture(row.architecture)
                .setParameterCount(row.parameterCount)
                .setDtype(row.dtype)
                .setArtifactUri(row.artifactUri)
                .setSha256(row.sha256)
                .setParentModelId(orEmpty(row.parentModelId))
                .setProducingJobId(orEmpty(row.producingJobId))
                .setDescription(orEmpty(row.description))
                .addAllTags(Json.toList(row.tags))
                .setTeam(caller.teamName(row.teamId))
                .setCreatedAt(Times.of(row.createdAt));
        if (row.compressionMethod != null) {
            model.setCompression(CompressionLineage.newBuilder()
                    .setMethod(row.compressionMethod)
                    .putAllParameters(Json.toMap(row.compressionParams))
                    .setCalibrationSetId(orEmpty(row.calibrationSetId)));
        }
        if (row.originRepo != null) {
            model.setOrigin(ModelOrigin.newBuilder().setHubEndpoint(row.originEndpoint).setRepoId(row.originRepo)
                    .setRevision(row.originRevision).setCommit(row.originCommit));
        }
        return model.build();
    }

    public Corpus corpus(CorpusEntity row) {
        return Corpus.newBuilder()
                .setId(row.id)
                .setName(row.name)
                .setDomain(row.domain)
                .setSourceUri(row.sourceUri)
                .setSha256(row.sha256)
                .setDocumentCount(row.documentCount)
                .setSplit(row.split)
                .setDocumentRule(row.documentRule)
                .setLicence(row.licence)
                .setSizeBytes(row.sizeBytes)
                .setTeam(caller.teamName(row.teamId))
                .setCreatedAt(Times.of(row.createdAt))
                .build();
    }

    public CalibrationSet calibrationSet(CalibrationSetEntity row) {
        return CalibrationSet.newBuilder()
                .setId(row.id)
                .setFingerprint(row.fingerprint)
                .setSpec(Json.toMessage(row.spec, CalibrationSpec.newBuilder()))
                .setSamplerVersion(row.samplerVersion)
                .setTokenizerSha256(row.tokenizerSha256)
                .setArtifactUri(row.artifactUri)
                .setArtifactSha256(row.artifactSha256)
                .setStatistics(Json.toMessage(row.statistics, CalibrationStatistics.newBuilder()))
                .setProducingJobId(orEmpty(row.producingJobId))
                .setTeam(caller.teamName(row.teamId))
                .setCreatedAt(Times.of(row.createdAt))
                .build();
    }

    public Score score(ScoreEntity row) {
        return Score.newBuilder()
                .setId(row.id)
                .setModelId(row.modelId)
                .setTask(row.task)
                .setMetric(row.metric)
                .setValue(row.value)
                .setStderr(row.stderr)
                .setN(row.n)
                .putAllSettings(Json.toMap(row.settings))
                .putAllEnvironment(Json.toMap(row.environment))
                .setProducingJobId(orEmpty(row.producingJobId))
                .setEvaluatedAt(Times.of(row.evaluatedAt))
                .setTeam(caller.teamName(row.teamId))
                .build();
    }

    public Job job(JobEntity row, List<String> dependencies) {
        return Job.newBuilder()
                .setId(row.id)
                .setType(JobTypes.toProto(row.type))
                .setState(row.state.toProto())
                .setSpec(Json.toMessage(row.spec, JobSpec.newBuilder()))
                .setRequestId(orEmpty(row.requestId))
                .setTeam(caller.teamName(row.teamId))
                .setAttempts(row.attempts)
                .setMaxAttempts(row.maxAttempts)
                .setLeaseOwner(orEmpty(row.leaseOwner))
                .setLeaseExpiresAt(Times.of(row.leaseExpiresAt))
                .setMaxRunSeconds(row.maxRunSeconds)
                .setProgress(Json.toMessage(row.progress, Progress.newBuilder()))
                .addAllResultIds(Json.toList(row.resultIds))
                .setError(orEmpty(row.error))
                .addAllDependsOn(dependencies)
                .setStudyId(orEmpty(row.studyId))
                .setCheckpointUri(orEmpty(row.checkpointUri))
                .setCreatedAt(Times.of(row.createdAt))
                .setStartedAt(Times.of(row.startedAt))
                .setFinishedAt(Times.of(row.finishedAt))
                .setCancelRequested(row.cancelRequested)
                .setTraceParent(orEmpty(row.traceParent))
                .build();
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }
}
