package dev.calibra.cli.commands;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.calibra.cli.CalibraCommand;
import dev.calibra.cli.FlagValues;
import dev.calibra.cli.Output;
import dev.calibra.cli.ProgressBar;
import dev.calibra.cli.Services;
import dev.calibra.proto.v1.CancelJobRequest;
import dev.calibra.proto.v1.GetJobRequest;
import dev.calibra.proto.v1.Job;
import dev.calibra.proto.v1.JobEvent;
import dev.calibra.proto.v1.JobState;
import dev.calibra.proto.v1.JobsGrpc;
import dev.calibra.proto.v1.ListJobsRequest;
import dev.calibra.proto.v1.ListJobsResponse;
import dev.calibra.proto.v1.WatchJobRequest;
import java.util.Iterator;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** calibra jobs list|show|watch|cancel. */
@Command(name = "jobs", description = "Inspect, follow and cancel queued work.",
        subcommands = {JobsCommand.ListJobs.class, JobsCommand.Show.class, JobsCommand.Watch.class, JobsCommand.Cancel.class})
public final class JobsCommand {

    @ParentCommand CalibraCommand root;

    static JobsGrpc.JobsBlockingStub jobs(Services services) {
        return JobsGrpc.newBlockingStub(services.channel("registry"));
    }

    static String state(Job job) {
        return job.getState().name().replace("JOB_STATE_", "");
    }

    static String summary(Job job) {
        return String.format("%-28s %-9s %-9s attempt %d/%d  %3.0f%%  %s", job.getId(),
                job.getType().name().replace("JOB_TYPE_", ""), state(job), job.getAttempts(), job.getMaxAttempts(),
                job.getProgress().getFraction() * 100, job.getError().isEmpty() ? job.getProgress().getMessage() : job.getError());
    }

    @Command(name = "list", description = "List jobs, newest first.")
    static final class ListJobs implements Callable<Integer> {
        @ParentCommand JobsCommand parent;

        @Option(names = "--state", description = "PENDING, RUNNING, SUCCEEDED, FAILED or CANCELLED.")
        String state;

        @Option(names = "--study", defaultValue = "", description = "Only jobs of this study.")
        String study;

        @Option(names = "--limit", defaultValue = "100", converter = FlagValues.Positive.class)
        int limit;

        @Override
        public Integer call() {
            Output output = parent.root.output();
            ListJobsRequest.Builder request = ListJobsRequest.newBuilder().setStudyId(study);
            if (state != null) {
                try {
                    request.setState(JobState.valueOf("JOB_STATE_" + state.toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--state " + state + " is not one of PENDING, RUNNING, SUCCEEDED, FAILED, CANCELLED");
                }
            }
            ObjectNode json = output.object();
            ArrayNode jobs = json.putArray("jobs");
            try (Services services = parent.root.services()) {
                String token = "";
                do {
                    ListJobsResponse page = jobs(services).listJobs(request.setPageToken(token)
                            .setPageSize(Math.min(limit - jobs.size(), 1000)).build());
                    for (Job job : page.getJobsList()) {
                        jobs.add(Output.tree(job));
                        output.line(summary(job));
                    }
                    token = page.getNextPageToken();
                } while (!token.isEmpty() && jobs.size() < limit);
            }
            if (jobs.isEmpty()) {
                output.line("no jobs");
            }
            output.emit(json);
            return 0;
        }
    }

    @Command(name = "show", description = "Show one job.")
    static final class Show implements Callable<Integer> {
        @ParentCommand JobsCommand parent;

        @Parameters(paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            Output output = parent.root.output();
            try (Services services = parent.root.services()) {
                Job job = jobs(services).getJob(GetJobRequest.newBuilder().setId(id).build());
                output.line(summary(job));
                output.line("  results   " + String.join(", ", job.getResultIdsList()));
                output.line("  lease     " + (job.getLeaseOwner().isEmpty() ? "-" : job.getLeaseOwner()));
                output.line("  depends   " + String.join(", ", job.getDependsOnList()));
                output.emit(Output.tree(job));
            }
            return 0;
        }
    }

    @Command(name = "watch", description = "Follow a job until it finishes, with a progress bar.")
    static final class Watch implements Callable<Integer> {
        @ParentCommand JobsCommand parent;

        @Parameters(paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            Output output = parent.root.output();
            try (Services services = parent.root.services()) {
                Job last = follow(jobs(services), id, output);
                output.line(summary(last));
                output.emit(Output.tree(last));
                return last.getState() == JobState.JOB_STATE_SUCCEEDED ? 0 : 1;
            }
        }
    }

    /** Streams WatchJob into a progress bar on stderr; returns the finished job. */
    public static Job follow(JobsGrpc.JobsBlockingStub jobs, String id, Output output) {
        ProgressBar bar = new ProgressBar(output.err(), id);
        Job last = null;
        Iterator<JobEvent> events = jobs.watchJob(WatchJobRequest.newBuilder().setId(id).build());
        while (events.hasNext()) {
            last = events.next().getJob();
            bar.update(last.getProgress().getFraction(), state(last) + " " + last.getProgress().getMessage());
        }
        bar.finish(state(last));
        return last;
    }

    @Command(name = "cancel", description = "Cancel a pending or running job.")
    static final class Cancel implements Callable<Integer> {
        @ParentCommand JobsCommand parent;

        @Parameters(paramLabel = "ID")
        String id;

        @Option(names = "--reason", defaultValue = "")
        String reason;

        @Override
        public Integer call() {
            Output output = parent.root.output();
            try (Services services = parent.root.services()) {
                Job job = jobs(services).cancelJob(CancelJobRequest.newBuilder().setId(id).setReason(reason).build());
                output.line(summary(job));
                output.emit(Output.tree(job));
            }
            return 0;
        }
    }
}
