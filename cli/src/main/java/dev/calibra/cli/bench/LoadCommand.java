package dev.calibra.cli.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.calibra.cli.FlagValues;
import dev.calibra.cli.Output;
import dev.calibra.cli.Services;
import dev.calibra.model.ModelFolder;
import dev.calibra.proto.v1.CancelJobRequest;
import dev.calibra.proto.v1.EvaluateRequest;
import dev.calibra.proto.v1.GetModelRequest;
import dev.calibra.proto.v1.JobSpec;
import dev.calibra.proto.v1.JobsGrpc;
import dev.calibra.proto.v1.Model;
import dev.calibra.proto.v1.QueryScoresRequest;
import dev.calibra.proto.v1.RecordScoresRequest;
import dev.calibra.proto.v1.RegisterModelRequest;
import dev.calibra.proto.v1.RegistryGrpc;
import dev.calibra.proto.v1.Score;
import dev.calibra.proto.v1.SubmitJobRequest;
import dev.calibra.rpc.CalibraException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * calibra bench load: concurrent clients making mixed registry calls (RecordScores, QueryScores,
 * GetModel, SubmitJob in equal shares) against a running stack, reporting errors, latency percentiles
 * per call kind and overall, and throughput.
 *
 * <p>The calls act on one seeded model (the shipped stories260K, registered as "bench-stories260K",
 * unless --model names one). SubmitJob queues EVALUATE jobs of that model (one arc_easy example, dry run,
 * one attempt) that are cancelled after the measurement unless --keep-jobs: a stack whose eval-service
 * runs its worker therefore does little real work for them, and one started with
 * CALIBRA_WORKER_ENABLED=false (bench/load.sh) measures the registry alone.
 */
@Command(name = "load", description = "Mixed registry calls from concurrent clients: errors, latency percentiles, throughput.")
final class LoadCommand implements Callable<Integer> {

    static final String MODEL_NAME = "bench-stories260K";
    /** No call may hang the run: a call slower than this counts as an error. */
    private static final long DEADLINE_SECONDS = 30;

    @ParentCommand BenchCommand parent;

    @Option(names = "--clients", defaultValue = "50", converter = FlagValues.Positive.class, description = "Concurrent clients, one connection each (default ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--calls", defaultValue = "20000", converter = FlagValues.Positive.class, description = "Measured calls in all (default ${DEFAULT-VALUE}).")
    int calls;

    @Option(names = "--warmup", defaultValue = "1000", converter = FlagValues.NonNegative.class, description = "Unmeasured calls first, same mix (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--model", description = "Model id to use; default: register the shipped stories260K as " + MODEL_NAME + ".")
    String modelId;

    @Option(names = "--keep-jobs", description = "Leave the submitted jobs queued instead of cancelling them afterwards.")
    boolean keepJobs;

    @Override
    public Integer call() throws Exception {
        Output output = parent.root.output();
        String run = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        ConcurrentLinkedQueue<String> submitted = new ConcurrentLinkedQueue<>();
        String model;
        String registryAddress;
        try (Services services = parent.root.services()) {
            registryAddress = services.address("registry");
            model = modelId != null ? modelId : seedModel(services);
            // Fail before the run when the model is not there, rather than with 20,000 errors.
            RegistryGrpc.newBlockingStub(services.channel("registry")).getModel(GetModelRequest.newBuilder().setId(model).build());
        }
        output.note(String.format("bench load: %d clients, %d calls (+%d warm-up) against %s, model %s, run %s", clients, calls,
                warmup, registryAddress, model, run));
        LoadRun.Result result = LoadRun.run(clients, calls, warmup, client -> new RegistryClient(model, run, submitted));
        int cancelled = keepJobs ? 0 : cancel(submitted);

        ObjectNode json = output.object();
        json.put("registry", registryAddress);
        json.put("model_id", model);
        json.put("run", run);
        json.put("clients", result.clients());
        json.put("calls", result.calls());
        json.put("warmup_calls", warmup);
        json.put("seconds", round(result.seconds()));
        json.put("calls_per_second", round(result.callsPerSecond()));
        json.put("errors", result.errors());
        json.putPOJO("error_samples", result.errorSamples());
        ObjectNode latency = json.putObject("latency_ms");
        latency.set("overall", toJson(output, result.overall(), 0));
        for (CallKind kind : CallKind.values()) {
            latency.set(kind.key(), toJson(output, result.byKind().get(kind), result.errorsByKind().get(kind)));
        }
        json.put("jobs_submitted", submitted.size());
        json.put("jobs_cancelled", cancelled);

        output.linef("%d calls from %d clients in %.1f s: %.0f calls/s, %d errors", result.calls(), result.clients(),
                result.seconds(), result.callsPerSecond(), result.errors());
        output.linef("%-14s %7s %7s %8s %8s %8s %8s", "call", "calls", "errors", "p50 ms", "p95 ms", "p99 ms", "max ms");
        output.line(row("overall", result.overall(), result.errors()));
        for (CallKind kind : CallKind.values()) {
            output.line(row(kind.key(), result.byKind().get(kind), result.errorsByKind().get(kind)));
        }
        result.errorSamples().forEach(sample -> output.note("error: " + sample));
        output.emit(json);
        return result.errors() == 0 ? 0 : 1;
    }

    /** The shipped stories260K, validated here (as `models register` does) and registered idempotently. */
    private String seedModel(Services services) {
        Path folder = parent.root.stackConfig().assets().resolve("models/stories260K");
        if (!Files.isDirectory(folder)) {
            throw CalibraException.invalidArgument("no model to seed: " + folder + " is missing; pass --model ID or set CALIBRA_ASSETS");
        }
        RegisterModelRequest.Builder request = RegisterModelRequest.newBuilder().setName(MODEL_NAME)
                .setArtifactUri(folder.toString()).setDescription("seeded by calibra bench load");
        try (ModelFolder model = ModelFolder.open(folder)) {
            request.setArchitecture(model.architecture()).setParameterCount(model.parameterCount())
                    .setDtype(model.dtype()).setSha256(model.sha256());
        } catch (java.io.IOException | RuntimeException e) {
            throw CalibraException.invalidArgument(folder + " is not a usable model folder: " + e.getMessage());
        }
        Model model = RegistryGrpc.newBlockingStub(services.channel("registry")).registerModel(request.build());
        return model.getId();
    }

    /** One benchmark client: its own Services, so its own connection carrying the CLI's API key. */
    private final class RegistryClient implements LoadRun.Client {
        private final Services services = parent.root.services();
        private final RegistryGrpc.RegistryBlockingStub registry = RegistryGrpc.newBlockingStub(services.channel("registry"));
        private final JobsGrpc.JobsBlockingStub jobs = JobsGrpc.newBlockingStub(services.channel("registry"));
        private final String model;
        private final String run;
        private final ConcurrentLinkedQueue<String> submitted;

        RegistryClient(String model, String run, ConcurrentLinkedQueue<String> submitted) {
            this.model = model;
            this.run = run;
            this.submitted = submitted;
        }

        @Override
        public void call(CallKind kind, long index) {
            switch (kind) {
                case RECORD_SCORES -> registry.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS).recordScores(RecordScoresRequest.newBuilder()
                        .addScores(Score.newBuilder().setModelId(model).setTask("bench_load").setMetric("acc")
                                .setValue(ThreadLocalRandom.current().nextDouble()).setN(1)
                                .putAllSettings(Map.of("bench_run", run, "call", Long.toString(index))))
                        .build());
                case QUERY_SCORES -> registry.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS).queryScores(QueryScoresRequest.newBuilder()
                        .setModelId(model).setTask("bench_load").setPageSize(20).build());
                case GET_MODEL -> registry.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS).getModel(GetModelRequest.newBuilder()
                        .setId(model).build());
                case SUBMIT_JOB -> submitted.add(jobs.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS).submitJob(SubmitJobRequest.newBuilder()
                        .setSpec(JobSpec.newBuilder().setEvaluate(EvaluateRequest.newBuilder().setModelId(model)
                                .addTasks("arc_easy").setLimit(1).setDryRun(true)))
                        .setRequestId("bench-" + run + "-" + index).setMaxAttempts(1).build()).getId());
            }
        }

        @Override
        public void close() {
            services.close();
        }
    }

    /** Cancels the run's jobs (unmeasured), so a real stack is not left with thousands of queued jobs. */
    private int cancel(ConcurrentLinkedQueue<String> submitted) throws InterruptedException {
        List<String> ids = List.copyOf(submitted);
        if (ids.isEmpty()) {
            return 0;
        }
        LoadRun.Result cancelled = LoadRun.run(Math.min(clients, ids.size()), ids.size(), 0, client -> {
            Services services = parent.root.services();
            JobsGrpc.JobsBlockingStub jobs = JobsGrpc.newBlockingStub(services.channel("registry"));
            return new LoadRun.Client() {
                @Override
                public void call(CallKind kind, long index) {
                    jobs.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS).cancelJob(CancelJobRequest.newBuilder()
                            .setId(ids.get((int) index)).setReason("bench load finished").build());
                }

                @Override
                public void close() {
                    services.close();
                }
            };
        });
        if (cancelled.errors() > 0) {
            parent.root.output().note("could not cancel " + cancelled.errors() + " bench job(s): " + cancelled.errorSamples());
        }
        return ids.size() - cancelled.errors();
    }

    private static ObjectNode toJson(Output output, Latencies latencies, int errors) {
        ObjectNode json = output.object();
        json.put("calls", latencies.calls());
        json.put("errors", errors);
        json.put("mean", round(latencies.meanMillis()));
        json.put("p50", round(latencies.p50Millis()));
        json.put("p95", round(latencies.p95Millis()));
        json.put("p99", round(latencies.p99Millis()));
        json.put("max", round(latencies.maxMillis()));
        return json;
    }

    private static String row(String name, Latencies latencies, int errors) {
        return String.format("%-14s %7d %7d %8.2f %8.2f %8.2f %8.1f", name, latencies.calls(), errors, latencies.p50Millis(),
                latencies.p95Millis(), latencies.p99Millis(), latencies.maxMillis());
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }
}
