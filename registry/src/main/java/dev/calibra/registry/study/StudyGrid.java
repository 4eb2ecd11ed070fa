package dev.calibra.registry.study;

import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.calibra.proto.v1.CalibrationSpec;
import dev.calibra.proto.v1.CompressRequest;
import dev.calibra.proto.v1.EvaluateRequest;
import dev.calibra.proto.v1.JobSpec;
import dev.calibra.proto.v1.JobType;
import dev.calibra.proto.v1.SampleCalibrationSetRequest;
import dev.calibra.proto.v1.StudyEvaluation;
import dev.calibra.proto.v1.StudyMethod;
import dev.calibra.proto.v1.StudySource;
import dev.calibra.proto.v1.StudySpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Expands a resolved study spec into CALIBRATE -> COMPRESS -> EVALUATE jobs. A job's request id is a
 * hash of its spec and of its dependencies' request ids, so the same work, wherever it is asked for
 * (two sources with one spec, two studies), is one job in the queue and is done once.
 */
public final class StudyGrid {

    private static final JsonFormat.Printer CANONICAL = JsonFormat.printer().omittingInsignificantWhitespace().sortingMapKeys();

    private StudyGrid() {}

    /** The grid's cells in order: per model the dense evaluation, the baselines, then method x source x set. */
    public static List<PlannedJob> expand(StudySpec spec, Map<String, String> modelNames) {
        List<PlannedJob> cells = new ArrayList<>();
        EvaluateRequest evaluation = evaluation(spec.getEvaluation());
        for (String modelId : spec.getModelsList()) {
            String model = modelNames.getOrDefault(modelId, modelId);
            if (spec.getIncludeDense()) {
                EvaluateRequest dense = evaluation.toBuilder().setModelId(modelId).build();
                cells.add(job(JobType.JOB_TYPE_EVALUATE, JobSpec.newBuilder().setEvaluate(dense).build(), List.of(),
                        model, "dense", "", -1));
            }
            for (StudyMethod method : spec.getMethodsList()) {
                if (StudySpecValidator.dataFree(method.getMethod())) {
                    PlannedJob compress = compress(modelId, model, method, null);
                    cells.add(compress);
                    cells.add(evaluate(evaluation, compress, model, method.getLabel(), "", -1));
                }
            }
            for (StudySource source : spec.getSourcesList()) {
                for (int set = 0; set < source.getSets(); set++) {
                    PlannedJob calibrate = job(JobType.JOB_TYPE_CALIBRATE, JobSpec.newBuilder().setCalibrate(
                            SampleCalibrationSetRequest.newBuilder().setSpec(calibration(source, set, modelId))).build(),
                            List.of(), model, "", source.getLabel(), set);
                    boolean used = false;
                    for (StudyMethod method : spec.getMethodsList()) {
                        if (StudySpecValidator.dataFree(method.getMethod())) {
                            continue;
                        }
                        if (!used) {
                            cells.add(calibrate);
                            used = true;
                        }
                        PlannedJob compress = relabel(compress(modelId, model, method, calibrate), source.getLabel(), set);
                        cells.add(compress);
                        cells.add(evaluate(evaluation, compress, model, method.getLabel(), source.getLabel(), set));
                    }
                }
            }
        }
        return cells;
    }

    /** Set k of a source: seed + k, or for disjoint sets the k-th of `sets` non-overlapping sets. */
    static CalibrationSpec calibration(StudySource source, int set, String modelId) {
        CalibrationSpec.Builder spec = source.getSpec().toBuilder().setModelId(modelId);
        if (spec.getStrategy().equals("disjoint_sets")) {
            spec.putParameters("set_index", Integer.toString(set)).putParameters("set_count", Integer.toString(source.getSets()));
        } else {
            spec.setSeed(spec.getSeed() + set);
        }
        return spec.build();
    }

    private static EvaluateRequest evaluation(StudyEvaluation evaluation) {
        return EvaluateRequest.newBuilder().addAllTasks(evaluation.getTasksList()).setLimit(evaluation.getLimit())
                .addAllPerplexity(evaluation.getPerplexityList()).setBatchSize(evaluation.getBatchSize()).build();
    }

    private static PlannedJob compress(String modelId, String model, StudyMethod method, PlannedJob calibrate) {
        CompressRequest.Builder request = CompressRequest.newBuilder().setModelId(modelId).setMethod(method.getMethod())
                .setParameters(method.getParameters()).setFormat(method.getFormat())
                .setDtype(method.getDtype()).setTarget(method.getTarget());
        List<String> dependsOn = calibrate == null ? List.of() : List.of(calibrate.requestId());
        // Registered model names are unique: name the output after the content of the work, which
        // makes identical work land on one name and different work on different names.
        String work = hash(JobType.JOB_TYPE_COMPRESS, JobSpec.newBuilder().setCompress(request).build(), dependsOn);
        request.setOutputName(model + "-" + method.getMethod() + "-" + work.substring(0, 10));
        return job(JobType.JOB_TYPE_COMPRESS, JobSpec.newBuilder().setCompress(request).build(), dependsOn,
                model, method.getLabel(), "", -1);
    }

    private static PlannedJob relabel(PlannedJob job, String source, int set) {
        return new PlannedJob(job.requestId(), job.type(), job.spec(), job.dependsOn(), job.model(), job.method(), source, set);
    }

    private static PlannedJob evaluate(EvaluateRequest evaluation, PlannedJob compress, String model, String method,
            String source, int set) {
        // model_id stays empty: the queue fills it from the COMPRESS dependency's result at claim time.
        return job(JobType.JOB_TYPE_EVALUATE, JobSpec.newBuilder().setEvaluate(evaluation).build(),
                List.of(compress.requestId()), model, method, source, set);
    }

    private static PlannedJob job(JobType type, JobSpec spec, List<String> dependsOn, String model, String method,
            String source, int set) {
        return new PlannedJob("study-" + hash(type, spec, dependsOn).substring(0, 40), type, spec, dependsOn, model, method,
                source, set);
    }

    static String hash(JobType type, Message spec, List<String> dependsOn) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update((type.name() + "\n" + CANONICAL.print(spec) + "\n" + String.join(",", dependsOn))
                    .getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha256.digest());
        } catch (NoSuchAlgorithmException | com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }
}
