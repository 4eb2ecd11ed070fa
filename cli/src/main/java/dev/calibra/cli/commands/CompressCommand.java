package dev.calibra.cli.commands;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.calibra.cli.Artifacts;
import dev.calibra.cli.CalibraCommand;
import dev.calibra.cli.FlagValues;
import dev.calibra.cli.Output;
import dev.calibra.cli.Services;
import dev.calibra.contract.MethodContracts;
import dev.calibra.contract.ServingTargets;
import dev.calibra.proto.v1.CompressRequest;
import dev.calibra.proto.v1.CompressionParameters;
import dev.calibra.proto.v1.GetModelRequest;
import dev.calibra.proto.v1.Job;
import dev.calibra.proto.v1.JobSpec;
import dev.calibra.proto.v1.JobState;
import dev.calibra.proto.v1.JobsGrpc;
import dev.calibra.proto.v1.Model;
import dev.calibra.proto.v1.OutputDtype;
import dev.calibra.proto.v1.OutputFormat;
import dev.calibra.proto.v1.RegistryGrpc;
import dev.calibra.proto.v1.SubmitJobRequest;
import dev.calibra.rpc.CalibraException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * calibra compress: submits a COMPRESS job to the registry queue and follows it (WatchJob) with a progress
 * bar until a compression-service worker has registered the new model. Going through the queue gives the
 * model a real producing job (the {@code job_id} of the JSON output), checkpoints and resumption.
 */
@Command(name = "compress", description = "Prune or quantize a registered model with a calibration set.")
public final class CompressCommand implements Callable<Integer> {

    @ParentCommand CalibraCommand root;

    @Option(names = "--model", required = true, description = "Base model id or name.")
    String model;

    @Option(names = "--calibration", defaultValue = "", description = "Calibration set id (optional for magnitude and rtn).")
    String calibration;

    @Option(names = "--method", required = true, description = "gptq, rtn, spqr, awq, sparsegpt, wanda or magnitude"
            + " (calibra's ListMethods gives each one's parameters and defaults).")
    String method;

    @Option(names = "--bits", converter = FlagValues.Positive.class,
            description = "Quantization bits: gptq, rtn, awq 2, 3, 4 (default) or 8; spqr 2..8 (default 3).")
    Integer bits;

    @Option(names = "--group-size", converter = FlagValues.GroupSize.class,
            description = "Columns per quantization group; -1 per channel (default).")
    Integer groupSize;

    @Option(names = "--sym", description = "Symmetric quantization grid.")
    boolean sym;

    @Option(names = "--act-order", negatable = true,
            description = "Quantize columns by decreasing Hessian diagonal (gptq default off, spqr default on; --no-act-order).")
    Boolean actOrder;

    @Option(names = "--true-sequential", description = "Re-capture inputs after each group of linears in a block.")
    boolean trueSequential;

    @Option(names = "--damp", converter = FlagValues.PositiveNumber.class,
            description = "Hessian dampening, fraction of its mean diagonal (gptq, sparsegpt default 0.01, in (0, 1]; spqr 1.0).")
    Double damp;

    @Option(names = "--qq-bits", converter = FlagValues.Positive.class,
            description = "SpQR: bits of the second-level quantization of group scales and zeros, 1..8 (default 3).")
    Integer qqBits;

    @Option(names = "--qq-group-size", converter = FlagValues.Positive.class,
            description = "SpQR: rows sharing one second-level scale and zero (default 16).")
    Integer qqGroupSize;

    @Option(names = "--outlier-threshold", converter = FlagValues.PositiveNumber.class,
            description = "SpQR: relative error above which a weight stays a 16-bit outlier (default 0.2; Infinity: none).")
    Double outlierThreshold;

    @Option(names = "--scale-grid", converter = FlagValues.Positive.class,
            description = "AWQ: points of the alpha grid of the scale search (default 20).")
    Integer scaleGrid;

    @Option(names = "--clip-search", negatable = true,
            description = "AWQ: search a clipping range per row and group (default on; --no-clip-search).")
    Boolean clipSearch;

    @Option(names = "--block-size", converter = FlagValues.Positive.class, description = "Columns per lazy batch update (default 128).")
    Integer blockSize;

    @Option(names = "--batch-size", converter = FlagValues.Positive.class,
            description = "Calibration sequences per block forward (default 8).")
    Integer batchSize;

    @Option(names = "--format", defaultValue = "auto", description = "auto (default: pack what the method's format can hold), gptq (gptq, rtn), awq (awq, 4-bit), compressed-tensors (gptq, rtn, awq; 2, 4 or 8 bits) or dense.")
    String format;

    @Option(names = "--target", defaultValue = "", description = "A serving stack the result must load in: vllm (fills unset parameters with 4 bits, group 128, symmetric; refuses what vLLM cannot serve).")
    String target;

    @Option(names = "--dtype", defaultValue = "base", description = "Dtype of the weights stored plain (pruned, dequantized): base (default: the base model's, a bfloat16 model stays bfloat16) or float32.")
    String dtype;

    @Option(names = "--sparsity", converter = FlagValues.OpenFraction.class, description = "Unstructured sparsity in (0, 1).")
    Double sparsity;

    @Option(names = "--pattern", description = "N:M semi-structured sparsity, e.g. 2:4.")
    String pattern;

    @Option(names = "--name", defaultValue = "", description = "Name of the registered result.")
    String name;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu or cuda.")
    String device;

    @Override
    public Integer call() throws IOException {
        Output output = root.output();
        CompressionParameters parameters = parameters();
        // the method's contract (compression.proto), checked here so nothing is queued that no worker can run
        List<String> problems = MethodContracts.problems(method, parameters);
        if (!problems.isEmpty()) {
            throw CalibraException.invalidArgument(asFlags(problems.get(0)));
        }
        MethodContracts.formatProblem(method, outputFormat(), parameters).ifPresent(problem -> {
            throw CalibraException.invalidArgument("--" + problem);
        });
        try {
            ServingTargets.apply(target, method, outputFormat(), parameters);
        } catch (IllegalArgumentException e) {
            throw CalibraException.invalidArgument("--" + e.getMessage());
        }
        CompressRequest request = CompressRequest.newBuilder().setModelId(model).setCalibrationSetId(calibration)
                .setMethod(method).setParameters(parameters).setFormat(outputFormat()).setDtype(outputDtype()).setTarget(target).setOutputName(name)
                .setDevice(device).build();
        try (Services services = root.services()) {
            JobsGrpc.JobsBlockingStub jobs = JobsGrpc.newBlockingStub(services.channel("registry"));
            Job submitted = jobs.submitJob(SubmitJobRequest.newBuilder()
                    .setSpec(JobSpec.newBuilder().setCompress(request)).build());
            output.note("submitted compress job " + submitted.getId());
            Job finished = followReconnecting(jobs, submitted.getId(), output);
            if (finished.getState() != JobState.JOB_STATE_SUCCEEDED) {
                throw failure(finished);
            }
            Model result = RegistryGrpc.newBlockingStub(services.channel("registry"))
                    .getModel(GetModelRequest.newBuilder().setId(finished.getResultIds(0)).build());
            String folder = Artifacts.shown(result.getArtifactUri());
            output.line(result.getId() + "  " + result.getName() + "  " + result.getDtype() + "  " + folder);
            ObjectNode json = output.object();
            json.put("id", result.getId());
            json.put("artifact_path", folder);
            json.put("job_id", finished.getId());
            json.put("name", result.getName());
            json.put("dtype", result.getDtype());
            json.put("sha256", result.getSha256());
            // only the report is fetched from an object store, not the weights
            Path report = Artifacts.localCopy(root, result.getArtifactUri().replaceAll("/+$", "") + "/calibra_compression.json");
            json.put("report_json", report.toString());
            quantizationSummary(report, output, json);
            json.set("model", Output.tree(result));
            output.emit(json);
            return 0;
        }
    }

    /** Bits per weight and outlier fraction from the run's report, when it quantized (SpQR counts its outliers). */
    private static void quantizationSummary(Path report, Output output, ObjectNode json) {
        try {
            com.fasterxml.jackson.databind.JsonNode tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(report.toFile());
            if (tree.has("average_bits")) {
                double bits = tree.get("average_bits").asDouble();
                double outliers = tree.path("outlier_fraction").asDouble();
                json.put("average_bits", bits).put("outlier_fraction", outliers);
                output.line(String.format(Locale.ROOT, "%.3f bits per weight%s", bits,
                        outliers > 0 ? String.format(Locale.ROOT, ", %.3f%% outliers", 100 * outliers) : ""));
            }
            if (tree.path("servability").isArray()) {
                json.set("servability", tree.get("servability"));
                List<String> served = new java.util.ArrayList<>();
                List<String> not = new java.util.ArrayList<>();
                tree.get("servability").forEach(v -> (v.path("servable").asBoolean() ? served : not).add(v.path("loader").asText()));
                output.line("served by: " + (served.isEmpty() ? "none" : String.join(", ", served))
                        + (not.isEmpty() ? "; not by: " + String.join(", ", not) + " (calibra models inspect says why)" : ""));
            }
        } catch (java.io.IOException e) {
            output.note("no report at " + report + ": " + e.getMessage());
        }
    }

    /** Follows the job; a watch stream the registry closes (restart, GOAWAY) is opened again, up to a minute. */
    private static Job followReconnecting(JobsGrpc.JobsBlockingStub jobs, String id, Output output) {
        for (int attempt = 0; ; attempt++) {
            try {
                Job job = JobsCommand.follow(jobs, id, output);
                if (job != null && job.getState() != JobState.JOB_STATE_PENDING && job.getState() != JobState.JOB_STATE_RUNNING) {
                    return job;
                }
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.UNAVAILABLE || attempt >= 60) {
                    throw e;
                }
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CalibraException(CalibraException.Kind.CANCELLED, "interrupted while following job " + id);
            }
        }
    }

    /** The job's error as the service's status: the worker writes it as "[CODE] sentence". */
    static CalibraException failure(Job job) {
        Matcher coded = Pattern.compile("^\\[([A-Z_]+)\\] (.*)$", Pattern.DOTALL).matcher(job.getError());
        CalibraException.Kind kind = job.getState() == JobState.JOB_STATE_CANCELLED ? CalibraException.Kind.CANCELLED
                : CalibraException.Kind.INTERNAL;
        String message = job.getError();
        if (coded.matches()) {
            try {
                kind = CalibraException.Kind.valueOf(coded.group(1));
                message = coded.group(2);
            } catch (IllegalArgumentException unknown) {
                // keep INTERNAL and the whole text
            }
        }
        return new CalibraException(kind, "compress job " + job.getId() + " "
                + JobsCommand.state(job).toLowerCase(Locale.ROOT) + ": " + message);
    }

    /** Only the flags given are set: the service applies its defaults to the rest and validates what is set. */
    CompressionParameters parameters() {
        CompressionParameters.Builder p = CompressionParameters.newBuilder().setSym(sym).setTrueSequential(trueSequential);
        if (actOrder != null) {
            p.setActOrder(actOrder);
        }
        if (qqBits != null) {
            p.setQqScaleBits(qqBits).setQqZeroBits(qqBits);
        }
        if (qqGroupSize != null) {
            p.setQqGroupSize(qqGroupSize);
        }
        if (outlierThreshold != null) {
            p.setOutlierThreshold(outlierThreshold);
        }
        if (scaleGrid != null) {
            p.setScaleGrid(scaleGrid);
        }
        if (clipSearch != null) {
            p.setClipSearch(clipSearch);
        }
        if (bits != null) {
            p.setBits(bits);
        }
        if (groupSize != null) {
            p.setGroupSize(groupSize);
        }
        if (damp != null) {
            p.setDampPercent(damp);
        }
        if (blockSize != null) {
            p.setBlockSize(blockSize);
        }
        if (batchSize != null) {
            p.setBatchSize(batchSize);
        }
        if (sparsity != null) {
            p.setSparsity(sparsity);
        }
        if (pattern != null) {
            String[] parts = pattern.split(":");
            int n;
            int m;
            try {
                if (parts.length != 2) {
                    throw new NumberFormatException();
                }
                n = Integer.parseInt(parts[0].trim());
                m = Integer.parseInt(parts[1].trim());
            } catch (NumberFormatException e) {
                throw CalibraException.invalidArgument("--pattern: expected N:M such as 2:4, got '" + pattern + "'");
            }
            if (n <= 0 || n >= m) {
                throw CalibraException.invalidArgument("--pattern: N:M needs 0 < N < M, got '" + pattern + "'");
            }
            p.setPruneN(n).setPruneM(m);
        }
        return p.build();
    }

    /** The contract's field names, as this command's flags. */
    private static final Map<String, String> FLAGS = Map.ofEntries(Map.entry("method", "--method"), Map.entry("bits", "--bits"),
            Map.entry("group_size", "--group-size"), Map.entry("sym", "--sym"), Map.entry("act_order", "--act-order"),
            Map.entry("damp_percent", "--damp"), Map.entry("block_size", "--block-size"), Map.entry("sparsity", "--sparsity"),
            Map.entry("prune_n", "--pattern"), Map.entry("prune_m", "--pattern"), Map.entry("true_sequential", "--true-sequential"),
            Map.entry("batch_size", "--batch-size"), Map.entry("qq_scale_bits", "--qq-bits"), Map.entry("qq_zero_bits", "--qq-bits"),
            Map.entry("qq_group_size", "--qq-group-size"), Map.entry("outlier_threshold", "--outlier-threshold"),
            Map.entry("scale_grid", "--scale-grid"), Map.entry("clip_search", "--clip-search"));

    /** "bits: must be ..." as "--bits: must be ...". */
    static String asFlags(String problem) {
        int colon = problem.indexOf(':');
        String field = colon < 0 ? "" : problem.substring(0, colon);
        return FLAGS.containsKey(field) ? FLAGS.get(field) + problem.substring(colon) : problem;
    }

    private OutputDtype outputDtype() {
        return switch (dtype.toLowerCase(Locale.ROOT)) {
            case "base" -> OutputDtype.OUTPUT_DTYPE_BASE;
            case "float32" -> OutputDtype.OUTPUT_DTYPE_FLOAT32;
            default -> throw CalibraException.invalidArgument("--dtype: must be base or float32, got '" + dtype + "'");
        };
    }

    private OutputFormat outputFormat() {
        return switch (format.toLowerCase(Locale.ROOT)) {
            case "auto" -> OutputFormat.OUTPUT_FORMAT_AUTO;
            case "gptq" -> OutputFormat.OUTPUT_FORMAT_GPTQ;
            case "awq" -> OutputFormat.OUTPUT_FORMAT_AWQ;
            case "compressed-tensors", "compressed_tensors" -> OutputFormat.OUTPUT_FORMAT_COMPRESSED_TENSORS;
            case "dense" -> OutputFormat.OUTPUT_FORMAT_DENSE;
            default -> throw CalibraException.invalidArgument("--format: must be auto, gptq, awq, compressed-tensors or dense, got '" + format + "'");
        };
    }

}
