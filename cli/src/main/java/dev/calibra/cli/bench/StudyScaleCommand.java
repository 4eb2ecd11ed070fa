package dev.calibra.cli.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.calibra.artifacts.ContentHash;
import dev.calibra.cli.FlagValues;
import dev.calibra.cli.Output;
import dev.calibra.cli.Services;
import dev.calibra.proto.v1.AdminGrpc;
import dev.calibra.proto.v1.CreateStudyRequest;
import dev.calibra.proto.v1.GetStudyReportRequest;
import dev.calibra.proto.v1.GetStudyRequest;
import dev.calibra.proto.v1.RegisterCorpusRequest;
import dev.calibra.proto.v1.RegisterModelRequest;
import dev.calibra.proto.v1.RegistryGrpc;
import dev.calibra.proto.v1.StudiesGrpc;
import dev.calibra.proto.v1.Study;
import dev.calibra.proto.v1.StudyReport;
import dev.calibra.proto.v1.StudyState;
import dev.calibra.proto.v1.WhoAmIRequest;
import dev.calibra.rpc.CalibraException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * calibra bench study: the paper's study shape (models x methods x sources x sets, 11 evaluations per model)
 * through a running stack's queue with dry-run workers (DryRunWorkers: every registry call a real worker
 * makes, on tiny artifacts, no model work). Measures creating the study, creating it again (idempotent), the
 * claims of the concurrent workers, and the report; checks that every job succeeded and the report has every
 * group. The stack's own workers should be off (CALIBRA_WORKER_ENABLED=false), as bench/paper-study.sh starts it.
 */
@Command(name = "study", description = "A paper-sized study through the queue with dry-run workers: creation, claims, report.")
final class StudyScaleCommand implements Callable<Integer> {

    /** The paper's four calibration-using methods, as Calibra names them. */
    private static final List<String> METHODS = List.of(
            "{label: gptq-4bit, method: gptq, bits: 4, group_size: 128, sym: true}",
            "{label: sparsegpt-50, method: sparsegpt, sparsity: 0.5}",
            "{label: wanda-50, method: wanda, sparsity: 0.5}",
            "{label: awq-4bit, method: awq, bits: 4, group_size: 128}");
    /** Shipped corpora standing in for the paper's five sources (file, document rule). */
    private static final List<String[]> SOURCES = List.of(
            new String[] {"c4_en_train00000_first1000.jsonl", "jsonl:text"},
            new String[] {"redpajama_arxiv_sample20.jsonl", "jsonl:text"},
            new String[] {"wikitext2_raw_test.txt", "blank-lines"},
            new String[] {"tinystories_valid_first.txt", "blank-lines"},
            new String[] {"tiny_shakespeare.txt", "blank-lines"});
    private static final List<String> TASKS = List.of("arc_easy", "arc_challenge", "piqa", "boolq", "openbookqa", "copa",
            "winogrande", "hellaswag", "rte", "lambada_openai");
    private static final int REPORT_REPEATS = 3;

    @ParentCommand BenchCommand parent;

    @Option(names = "--models", defaultValue = "9", converter = FlagValues.Positive.class, description = "Base models (default ${DEFAULT-VALUE}).")
    int models;

    @Option(names = "--methods", defaultValue = "4", converter = FlagValues.Positive.class, description = "Methods, at most 4 (default ${DEFAULT-VALUE}).")
    int methods;

    @Option(names = "--sources", defaultValue = "5", converter = FlagValues.Positive.class, description = "Calibration sources, at most 5 (default ${DEFAULT-VALUE}).")
    int sources;

    @Option(names = "--sets", defaultValue = "10", converter = FlagValues.Positive.class, description = "Calibration sets per source (default ${DEFAULT-VALUE}).")
    int sets;

    @Option(names = "--workers", defaultValue = "16", converter = FlagValues.Positive.class, description = "Concurrent dry-run workers, one connection each (default ${DEFAULT-VALUE}).")
    int workers;

    @Override
    public Integer call() throws Exception {
        if (methods > METHODS.size() || sources > SOURCES.size()) {
            throw CalibraException.invalidArgument("--methods is at most " + METHODS.size() + " and --sources at most "
                    + SOURCES.size() + ", got " + methods + " and " + sources);
        }
        Output output = parent.root.output();
        String run = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        Path store = parent.root.stackConfig().artifactsDir();
        try (Services services = parent.root.services()) {
            String team = AdminGrpc.newBlockingStub(services.channel("registry")).whoAmI(WhoAmIRequest.getDefaultInstance()).getTeam();
            RegistryGrpc.RegistryBlockingStub registry = RegistryGrpc.newBlockingStub(services.channel("registry"));
            StudiesGrpc.StudiesBlockingStub studies = StudiesGrpc.newBlockingStub(services.channel("registry"));
            List<String> modelNames = seedModels(registry);
            List<String> corpusNames = seedCorpora(registry);
            String yaml = spec(run, modelNames, corpusNames);
            output.note(String.format("bench study: %d models x %d methods x %d sources x %d sets, %d workers, run %s",
                    models, methods, sources, sets, workers, run));

            CreateStudyRequest create = CreateStudyRequest.newBuilder().setSpecYaml(yaml).setRequestId("bench-study-" + run).build();
            long start = System.nanoTime();
            Study study = studies.createStudy(create);
            double creationSeconds = (System.nanoTime() - start) / 1e9;
            start = System.nanoTime();
            Study again = studies.createStudy(create);
            double repeatSeconds = (System.nanoTime() - start) / 1e9;
            boolean idempotent = again.getId().equals(study.getId()) && again.getJobsTotal() == study.getJobsTotal()
                    && again.getJobsList().equals(study.getJobsList());
            output.note(String.format("created %s: %d jobs in %.2f s; asked again in %.2f s (%s)", study.getId(),
                    study.getJobsTotal(), creationSeconds, repeatSeconds, idempotent ? "same study, same jobs" : "NOT IDEMPOTENT"));

            DryRunWorkers.Result drained = new DryRunWorkers(parent.root::services, team, store, TASKS.size() + 1)
                    .drain(workers, study.getJobsTotal());
            Study finished = studies.getStudy(GetStudyRequest.newBuilder().setId(study.getId()).build());

            double[] reportSeconds = new double[REPORT_REPEATS];
            StudyReport report = null;
            for (int i = 0; i < REPORT_REPEATS; i++) {
                start = System.nanoTime();
                report = studies.getStudyReport(GetStudyReportRequest.newBuilder().setId(study.getId()).build());
                reportSeconds[i] = (System.nanoTime() - start) / 1e9;
            }
            int scores = report.getGroupsList().stream().mapToInt(group -> group.getValuesCount()).sum() + report.getBaselinesCount();
            int expectedGroups = models * methods * sources * (TASKS.size() + 2);
            boolean complete = finished.getState() == StudyState.STUDY_STATE_FINISHED
                    && finished.getJobsSucceeded() == study.getJobsTotal() && report.getGroupsCount() == expectedGroups;

            ObjectNode json = output.object();
            json.put("study_id", study.getId());
            json.put("grid", models + "x" + methods + "x" + sources + "x" + sets);
            json.put("jobs", study.getJobsTotal());
            json.put("workers", workers);
            json.put("creation_seconds", round(creationSeconds));
            json.put("repeat_creation_seconds", round(repeatSeconds));
            json.put("idempotent", idempotent);
            json.put("drain_seconds", round(drained.seconds()));
            json.put("claims", drained.claims());
            json.put("empty_claims", drained.emptyClaims());
            json.put("claims_per_second", round(drained.claims() / drained.seconds()));
            json.put("errors", drained.errors());
            json.putPOJO("error_samples", drained.errorSamples());
            ObjectNode latency = json.putObject("latency_ms");
            drained.latencies().forEach((call, latencies) -> latency.set(call, toJson(output, latencies)));
            json.put("jobs_succeeded", finished.getJobsSucceeded());
            json.put("study_state", finished.getState().name());
            json.put("report_groups", report.getGroupsCount());
            json.put("report_expected_groups", expectedGroups);
            json.put("report_baselines", report.getBaselinesCount());
            json.put("report_values", scores);
            json.putPOJO("report_seconds", IntStream.range(0, REPORT_REPEATS).mapToObj(i -> round(reportSeconds[i])).toList());

            output.linef("study %s: %d jobs, created in %.2f s, again in %.2f s (%s)", study.getId(), study.getJobsTotal(),
                    creationSeconds, repeatSeconds, idempotent ? "idempotent" : "NOT idempotent");
            output.linef("%d workers: %d claims in %.1f s (%.0f claims/s), %d empty polls, %d errors", workers, drained.claims(),
                    drained.seconds(), drained.claims() / drained.seconds(), drained.emptyClaims(), drained.errors());
            output.linef("%-22s %7s %8s %8s %8s %8s", "call", "calls", "p50 ms", "p95 ms", "p99 ms", "max ms");
            drained.latencies().forEach((call, l) -> output.linef("%-22s %7d %8.2f %8.2f %8.2f %8.1f", call, l.calls(),
                    l.p50Millis(), l.p95Millis(), l.p99Millis(), l.maxMillis()));
            output.linef("study %s, %d of %d jobs succeeded", finished.getState().name(), finished.getJobsSucceeded(), study.getJobsTotal());
            output.linef("report: %d groups (of %d), %d baselines, %d values; %s s", report.getGroupsCount(), expectedGroups,
                    report.getBaselinesCount(), scores, json.get("report_seconds"));
            drained.errorSamples().forEach(sample -> output.note("error: " + sample));
            output.emit(json);
            return complete && idempotent && drained.errors() == 0 ? 0 : 1;
        }
    }

    private String spec(String run, List<String> modelNames, List<String> corpusNames) {
        StringBuilder yaml = new StringBuilder("name: bench-paper-" + run + "\n");
        yaml.append("models: [").append(String.join(", ", modelNames)).append("]\ninclude_dense: true\nmethods:\n");
        METHODS.subList(0, methods).forEach(method -> yaml.append("  - ").append(method).append('\n'));
        yaml.append("sources:\n");
        for (int i = 0; i < sources; i++) {
            // a seed per run: a rerun on the same stack is new work, not the previous run's jobs
            yaml.append(String.format("  - {label: source-%d, strategy: random_window, corpus: %s, n_samples: 128, seq_len: 2048,"
                    + " sets: %d, seed: %d}%n", i + 1, corpusNames.get(i), sets, Integer.parseUnsignedInt(run, 16) % 100_000 * 100));
        }
        yaml.append("evaluation:\n  tasks: [").append(String.join(", ", TASKS)).append("]\n");
        yaml.append("  perplexity:\n    - {name: wikitext2, corpus: ").append(corpusNames.get(Math.min(2, sources - 1)))
                .append(", seq_len: 2048}\n");
        return yaml.toString();
    }

    /** The shipped stories260K under one name per base model (registration is idempotent by name and content). */
    private List<String> seedModels(RegistryGrpc.RegistryBlockingStub registry) {
        Path folder = parent.root.stackConfig().assets().resolve("models/stories260K");
        if (!Files.isRegularFile(folder.resolve("config.json"))) {
            throw CalibraException.invalidArgument("no model to seed: " + folder + " is missing; set CALIBRA_ASSETS");
        }
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= models; i++) {
            String name = "bench-paper-model-" + i;
            registry.registerModel(RegisterModelRequest.newBuilder().setName(name).setArtifactUri(folder.toString())
                    .setArchitecture("LlamaForCausalLM").setParameterCount(260_000).setDtype("float32")
                    .setDescription("seeded by calibra bench study").build());
            names.add(name);
        }
        return names;
    }

    private List<String> seedCorpora(RegistryGrpc.RegistryBlockingStub registry) throws IOException {
        List<String> names = new ArrayList<>();
        for (String[] source : SOURCES.subList(0, sources)) {
            Path file = parent.root.stackConfig().assets().resolve("corpora").resolve(source[0]);
            if (!Files.isRegularFile(file)) {
                throw CalibraException.invalidArgument("no corpus to seed: " + file + " is missing; set CALIBRA_ASSETS");
            }
            String name = "bench-" + source[0].substring(0, source[0].indexOf('.'));
            long lines;
            try (var stream = Files.lines(file)) {
                lines = stream.count();
            }
            registry.registerCorpus(RegisterCorpusRequest.newBuilder().setName(name).setSourceUri(file.toString())
                    .setSha256(ContentHash.ofFile(file)).setDocumentCount(Math.max(1, lines)).setDocumentRule(source[1])
                    .setSizeBytes(Files.size(file)).build());
            names.add(name);
        }
        return names;
    }

    private static ObjectNode toJson(Output output, Latencies latencies) {
        ObjectNode json = output.object();
        json.put("calls", latencies.calls());
        json.put("p50", round(latencies.p50Millis()));
        json.put("p95", round(latencies.p95Millis()));
        json.put("p99", round(latencies.p99Millis()));
        json.put("max", round(latencies.maxMillis()));
        return json;
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }
}
