package dev.calibra.cli.commands;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.calibra.artifacts.ContentHash;
import dev.calibra.cli.CalibraCommand;
import dev.calibra.cli.Output;
import dev.calibra.cli.ProgressBar;
import dev.calibra.cli.Services;
import dev.calibra.cli.report.ReportFiles;
import dev.calibra.cli.report.ReportSummary;
import dev.calibra.cli.report.StudyEstimate;
import dev.calibra.proto.v1.CancelStudyRequest;
import dev.calibra.proto.v1.CreateStudyRequest;
import dev.calibra.proto.v1.GetModelRequest;
import dev.calibra.proto.v1.GetStudyReportRequest;
import dev.calibra.proto.v1.GetStudyRequest;
import dev.calibra.proto.v1.JobState;
import dev.calibra.proto.v1.RegistryGrpc;
import dev.calibra.proto.v1.StudiesGrpc;
import dev.calibra.proto.v1.Study;
import dev.calibra.proto.v1.StudyJob;
import dev.calibra.proto.v1.StudyReport;
import dev.calibra.proto.v1.StudyState;
import dev.calibra.proto.v1.WatchStudyRequest;
import dev.calibra.rpc.CalibraException;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** calibra study plan|run|status|cancel|report. */
@Command(name = "study", description = "Plan, run and report studies (a grid of models x methods x calibration data).",
        subcommands = {StudyCommand.Plan.class, StudyCommand.Run.class, StudyCommand.Status.class, StudyCommand.Cancel.class,
                StudyCommand.Report.class})
public final class StudyCommand {

    /** How long `study run` keeps trying to reach a registry that went away (a restart) before giving up. */
    private static final long RECONNECT_SECONDS = 300;

    @ParentCommand CalibraCommand root;

    static StudiesGrpc.StudiesBlockingStub studies(Services services) {
        return StudiesGrpc.newBlockingStub(services.channel("registry"));
    }

    static String readSpec(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw CalibraException.invalidArgument("study spec " + file.toAbsolutePath() + " is not a file");
        }
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    /** The same spec file always names the same study, so running it again continues it. */
    static String requestIdOf(String yaml) {
        return "study-file-" + ContentHash.ofBytes(yaml.getBytes(StandardCharsets.UTF_8)).substring(0, 32);
    }

    static String counts(Study study) {
        return String.format(Locale.ROOT, "%d/%d jobs done (%d succeeded, %d failed, %d cancelled), %d running, %d pending",
                study.getJobsSucceeded() + study.getJobsFailed() + study.getJobsCancelled(), study.getJobsTotal(),
                study.getJobsSucceeded(), study.getJobsFailed(), study.getJobsCancelled(), study.getJobsRunning(), study.getJobsPending());
    }

    private static long largestModel(Services services, Study plan) {
        long parameters = 0;
        for (String model : plan.getSpec().getModelsList()) {
            parameters = Math.max(parameters, RegistryGrpc.newBlockingStub(services.channel("registry"))
                    .getModel(GetModelRequest.newBuilder().setId(model).build()).getParameterCount());
        }
        return parameters;
    }

    /**
     * Creates (or continues) the study of a spec, follows it to the end with a progress bar, and
     * writes its report. A registry restart midway is waited out: the jobs live in PostgreSQL.
     */
    static ObjectNode runStudy(Services services, Output output, String yaml, String requestId, Path outDir) throws Exception {
        return runStudy(services, output, yaml, requestId, outDir, null);
    }

    /**
     * As above; with artifacts (the local artifact store's folder) the study's disk estimate is checked
     * against the free space there first, and a study that would not fit is refused before any job exists.
     */
    static ObjectNode runStudy(Services services, Output output, String yaml, String requestId, Path outDir, Path artifacts)
            throws Exception {
        Study plan = studies(services).createStudy(CreateStudyRequest.newBuilder().setSpecYaml(yaml).setDryRun(true).build());
        StudyEstimate.Estimate estimate = StudyEstimate.of(plan, largestModel(services, plan));
        output.note(estimate.describe());
        if (artifacts != null && java.nio.file.Files.isDirectory(artifacts)) {
            long free = java.nio.file.Files.getFileStore(artifacts).getUsableSpace();
            if (estimate.diskBytes() > free) {
                throw new CalibraException(CalibraException.Kind.RESOURCE_EXHAUSTED, "the study needs about "
                        + estimate.diskBytes() / (1 << 20) + " MiB of disk but " + artifacts + " has "
                        + free / (1 << 20) + " MiB free; free space (calibra gc) or shrink the grid");
            }
        }
        Study study = studies(services).createStudy(CreateStudyRequest.newBuilder().setSpecYaml(yaml).setRequestId(requestId).build());
        long reused = study.getJobsList().stream().filter(StudyJob::getReused).map(StudyJob::getJobId).distinct().count();
        output.note("study " + study.getId() + " (" + study.getName() + "): " + study.getJobsTotal() + " jobs, " + reused
                + " reused from earlier work, " + study.getJobsSucceeded() + " already succeeded");
        study = follow(services, output, study);
        StudyReport report = studies(services).getStudyReport(GetStudyReportRequest.newBuilder().setId(study.getId()).build());
        ReportFiles.Written files = ReportFiles.write(report, outDir.resolve(study.getId()));
        ReportSummary.lines(report).forEach(output::line);
        output.line("");
        output.line("report: " + files.html());
        output.line("        " + files.json());
        output.line("        " + files.csv());
        ObjectNode json = output.object();
        json.put("study_id", study.getId());
        json.put("state", study.getState().name().replace("STUDY_STATE_", "").toLowerCase(Locale.ROOT));
        json.put("jobs_total", study.getJobsTotal());
        json.put("jobs_failed", study.getJobsFailed());
        json.put("report_json", files.json().toString());
        json.put("report_html", files.html().toString());
        json.put("report_csv", files.csv().toString());
        return json;
    }

    private static Study follow(Services services, Output output, Study start) throws InterruptedException {
        ProgressBar bar = new ProgressBar(output.err(), "study");
        Study latest = start;
        long lostSince = 0;
        while (latest.getState() == StudyState.STUDY_STATE_RUNNING) {
            try {
                Iterator<Study> events = studies(services).watchStudy(WatchStudyRequest.newBuilder().setId(start.getId()).build());
                while (events.hasNext()) {
                    latest = events.next();
                    lostSince = 0;
                    int done = latest.getJobsSucceeded() + latest.getJobsFailed() + latest.getJobsCancelled();
                    bar.update(latest.getJobsTotal() == 0 ? 1 : (double) done / latest.getJobsTotal(), counts(latest));
                }
                latest = studies(services).getStudy(GetStudyRequest.newBuilder().setId(start.getId()).build());
            } catch (StatusRuntimeException lost) {
                if (lost.getStatus().getCode() != io.grpc.Status.Code.UNAVAILABLE) {
                    throw lost;
                }
                lostSince = lostSince == 0 ? System.nanoTime() : lostSince;
                if ((System.nanoTime() - lostSince) / 1e9 > RECONNECT_SECONDS) {
                    throw lost;
                }
                output.note("\nthe registry is not reachable; waiting for it (the study continues where it was)");
                Thread.sleep(2000);
            }
        }
        bar.finish(counts(latest));
        return latest;
    }

    @Command(name = "plan", description = "Validate a study spec and show its jobs, what exists already, and a rough cost.")
    static final class Plan implements Callable<Integer> {
        @ParentCommand StudyCommand parent;

        @Parameters(paramLabel = "FILE", description = "Study spec (YAML).")
        Path file;

        @Override
        public Integer call() throws Exception {
            Output output = parent.root.output();
            String yaml = readSpec(file);
            try (Services services = parent.root.services()) {
                Study plan = studies(services).createStudy(CreateStudyRequest.newBuilder().setSpecYaml(yaml).setDryRun(true).build());
                StudyEstimate.Estimate estimate = StudyEstimate.of(plan, largestModel(services, plan));
                Set<String> seen = new HashSet<>();
                output.linef("%-9s %-14s %-16s %-18s %4s  %s", "type", "model", "method", "source", "set", "status");
                for (StudyJob job : plan.getJobsList()) {
                    if (!seen.add(job.getRequestId())) {
                        continue;
                    }
                    output.linef("%-9s %-14s %-16s %-18s %4s  %s", job.getType().name().replace("JOB_TYPE_", ""), job.getModel(),
                            job.getMethod(), job.getSource(), job.getSetIndex() < 0 ? "" : Integer.toString(job.getSetIndex()),
                            job.getJobId().isEmpty() ? "new" : "exists: " + job.getJobId() + " "
                                    + job.getState().name().replace("JOB_STATE_", "").toLowerCase(Locale.ROOT));
                }
                output.line(estimate.describe());
                ObjectNode json = output.object();
                json.put("name", plan.getName());
                json.put("jobs_total", plan.getJobsTotal());
                json.put("jobs_new", estimate.newJobs());
                json.put("jobs_existing", estimate.existingJobs());
                json.put("estimated_seconds", Math.round(estimate.seconds()));
                json.put("estimated_disk_bytes", estimate.diskBytes());
                json.set("jobs", Output.tree(plan).get("jobs"));
                output.emit(json);
            }
            return 0;
        }
    }

    @Command(name = "run", description = "Create (or continue) the study of a spec, follow it, and write its report.")
    static final class Run implements Callable<Integer> {
        @ParentCommand StudyCommand parent;

        @Parameters(paramLabel = "FILE", description = "Study spec (YAML).")
        Path file;

        @Option(names = "--out", defaultValue = "reports", description = "Folder for the report files (a subfolder per study).")
        Path out;

        @Option(names = "--request-id", description = "Idempotency key; default: derived from the file's content.")
        String requestId;

        @Override
        public Integer call() throws Exception {
            Output output = parent.root.output();
            String yaml = readSpec(file);
            try (Services services = parent.root.services()) {
                output.emit(runStudy(services, output, yaml, requestId != null ? requestId : requestIdOf(yaml), out,
                        parent.root.stackConfig().artifactsDir()));
            }
            return 0;
        }
    }

    @Command(name = "status", description = "Show a study's state, job counts and failed jobs.")
    static final class Status implements Callable<Integer> {
        @ParentCommand StudyCommand parent;

        @Parameters(paramLabel = "ID", description = "Study id.")
        String id;

        @Override
        public Integer call() {
            Output output = parent.root.output();
            try (Services services = parent.root.services()) {
                Study study = studies(services).getStudy(GetStudyRequest.newBuilder().setId(id).build());
                output.line(study.getId() + " " + study.getName() + " " + study.getState().name().replace("STUDY_STATE_", "") + ": "
                        + counts(study));
                Set<String> seen = new HashSet<>();
                for (StudyJob job : study.getJobsList()) {
                    if (job.getState() == JobState.JOB_STATE_FAILED && seen.add(job.getJobId())) {
                        output.line("  failed " + job.getJobId() + " " + job.getType().name().replace("JOB_TYPE_", "") + " "
                                + job.getMethod() + " " + job.getSource() + " set " + job.getSetIndex()
                                + " (see: calibra jobs show " + job.getJobId() + ")");
                    }
                }
                ObjectNode json = Output.tree(study);
                json.put("study_id", study.getId());
                output.emit(json);
            }
            return 0;
        }
    }

    @Command(name = "cancel", description = "Cancel every unfinished job of a study.")
    static final class Cancel implements Callable<Integer> {
        @ParentCommand StudyCommand parent;

        @Parameters(paramLabel = "ID", description = "Study id.")
        String id;

        @Override
        public Integer call() {
            Output output = parent.root.output();
            try (Services services = parent.root.services()) {
                Study study = studies(services).cancelStudy(CancelStudyRequest.newBuilder().setId(id).build());
                output.line(study.getId() + " " + study.getState().name().replace("STUDY_STATE_", "") + ": " + counts(study));
                ObjectNode json = output.object();
                json.put("study_id", study.getId());
                json.put("state", study.getState().name().replace("STUDY_STATE_", "").toLowerCase(Locale.ROOT));
                output.emit(json);
            }
            return 0;
        }
    }

    @Command(name = "report", description = "Write a study's report as html, json or csv.")
    static final class Report implements Callable<Integer> {
        @ParentCommand StudyCommand parent;

        @Parameters(paramLabel = "ID", description = "Study id.")
        String id;

        @Option(names = "--format", defaultValue = "html", description = "html, json or csv.")
        String format;

        @Option(names = "--out", required = true, description = "File to write.")
        Path out;

        @Override
        public Integer call() throws Exception {
            Output output = parent.root.output();
            if (!Set.of("html", "json", "csv").contains(format)) {
                throw CalibraException.invalidArgument("--format must be html, json or csv, got '" + format + "'");
            }
            try (Services services = parent.root.services()) {
                StudyReport report = studies(services).getStudyReport(GetStudyReportRequest.newBuilder().setId(id).build());
                Path file = out.toAbsolutePath().normalize();
                if (file.getParent() != null) {
                    Files.createDirectories(file.getParent());
                }
                ReportFiles.write(file, ReportFiles.render(report, format));
                output.line("wrote " + file);
                ObjectNode json = output.object();
                json.put("study_id", id);
                json.put("format", format);
                json.put("path", file.toString());
                output.emit(json);
            }
            return 0;
        }
    }
}
