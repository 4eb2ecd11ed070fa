package dev.calibra.e2e.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.calibra.e2e.LocalStack;
import dev.calibra.e2e.faults.Faults;
import dev.calibra.proto.v1.AddCorpusRequest;
import dev.calibra.proto.v1.AdminGrpc;
import dev.calibra.proto.v1.ApiKey;
import dev.calibra.proto.v1.CalibrationGrpc;
import dev.calibra.proto.v1.CalibrationSet;
import dev.calibra.proto.v1.CancelJobRequest;
import dev.calibra.proto.v1.ClaimJobRequest;
import dev.calibra.proto.v1.CompressRequest;
import dev.calibra.proto.v1.CompressionParameters;
import dev.calibra.proto.v1.CreateApiKeyRequest;
import dev.calibra.proto.v1.CreateStudyRequest;
import dev.calibra.proto.v1.CreateTeamRequest;
import dev.calibra.proto.v1.EvaluateRequest;
import dev.calibra.proto.v1.FailJobRequest;
import dev.calibra.proto.v1.GetModelRequest;
import dev.calibra.proto.v1.GrantReadRequest;
import dev.calibra.proto.v1.HeartbeatRequest;
import dev.calibra.proto.v1.Job;
import dev.calibra.proto.v1.JobEvent;
import dev.calibra.proto.v1.JobSpec;
import dev.calibra.proto.v1.JobState;
import dev.calibra.proto.v1.JobType;
import dev.calibra.proto.v1.JobsGrpc;
import dev.calibra.proto.v1.ListApiKeysRequest;
import dev.calibra.proto.v1.ListStudiesRequest;
import dev.calibra.proto.v1.PerplexitySpec;
import dev.calibra.proto.v1.RecordScoresRequest;
import dev.calibra.proto.v1.RegisterCalibrationSetRequest;
import dev.calibra.proto.v1.RegisterModelRequest;
import dev.calibra.proto.v1.RegistryGrpc;
import dev.calibra.proto.v1.RevokeApiKeyRequest;
import dev.calibra.proto.v1.RevokeReadRequest;
import dev.calibra.proto.v1.SampleCalibrationSetRequest;
import dev.calibra.proto.v1.Score;
import dev.calibra.proto.v1.SetTeamQuotaRequest;
import dev.calibra.proto.v1.StudiesGrpc;
import dev.calibra.proto.v1.SubmitJobRequest;
import dev.calibra.proto.v1.WatchJobRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The review behind issue 17, tried as attacks against a running stack by three teams (alpha, beta, gamma)
 * plus a member key of the default team: each finding is one or more scenarios that a member of one team
 * runs to read, change or break another's work. A scenario reports a breach when the attack got through;
 * the suite prints how many it tried and fails on any breach. Its own stack confines paths as a shared
 * deployment does (CALIBRA_ALLOWED_ROOTS: the assets folder and one inputs folder).
 */
class AttackSuiteIT {

    private static final Duration JOB_LIMIT = Duration.ofMinutes(4);
    private static LocalStack stack;
    private static Path inputs;
    private static Path outside;
    private static final List<String> tried = new ArrayList<>();
    private static final List<String> breaches = new ArrayList<>();
    private static final List<ManagedChannel> channels = new ArrayList<>();

    /** One team's way in: its key's channels to the registry and the calibration service. */
    private record Team(String name, String secret, RegistryGrpc.RegistryBlockingStub registry, JobsGrpc.JobsBlockingStub jobs,
            AdminGrpc.AdminBlockingStub admin, CalibrationGrpc.CalibrationBlockingStub calibration,
            StudiesGrpc.StudiesBlockingStub studies) {}

    @BeforeAll
    static void up() throws IOException {
        Path work = LocalStack.repositoryRoot().resolve("e2e/target/attacks");
        inputs = Files.createDirectories(work.resolve("inputs"));
        outside = Files.createDirectories(work.resolve("outside"));
        stack = Faults.freshStack("attacks", 9600, Map.of("CALIBRA_ALLOWED_ROOTS", LocalStack.assets() + ":" + inputs));
    }

    @AfterAll
    static void down() {
        channels.forEach(ManagedChannel::shutdownNow);
        if (stack != null) {
            stack.down();
        }
    }

    @Test
    void everyFindingOfTheReview_triedAsAnAttack_noneSucceeds() throws Exception {
        AdminGrpc.AdminBlockingStub operator = AdminGrpc.newBlockingStub(stack.channel("registry"));
        Team alpha = team(operator, "alpha");
        Team beta = team(operator, "beta");
        Team gamma = team(operator, "gamma");

        // Beta's work, which the others go after: a model, a corpus, a set, a compressed model, an evaluation.
        String betaModel = registerStories(beta, "reference");
        String alphaModel = registerStories(alpha, "stories");
        String betaCorpus = beta.calibration().addCorpus(AddCorpusRequest.newBuilder().setName("tinystories")
                .setPath(Faults.TINYSTORIES.toString()).build()).getId();
        CalibrationSet betaSet = beta.calibration().sampleCalibrationSet(SampleCalibrationSetRequest.newBuilder()
                .setSpec(Faults.randomWindow(betaModel, betaCorpus, 8, 64, 5)).build());
        Job betaCompress = finish(beta, SubmitJobRequest.newBuilder().setSpec(JobSpec.newBuilder().setCompress(
                CompressRequest.newBuilder().setModelId(betaModel).setMethod("magnitude")
                        .setParameters(CompressionParameters.newBuilder().setSparsity(0.5)))).build());
        String betaCompressed = betaCompress.getResultIds(0);
        Job betaEvaluate = finish(beta, SubmitJobRequest.newBuilder().setSpec(JobSpec.newBuilder().setEvaluate(
                EvaluateRequest.newBuilder().setModelId(betaModel).addTasks("copa").setLimit(5))).build());
        beta.admin().grantRead(GrantReadRequest.newBuilder().setReaderTeam(alpha.name()).build());
        String betaCompressedUri = alpha.registry().getModel(GetModelRequest.newBuilder().setId(betaCompressed).build()).getArtifactUri();

        // 1. Path confinement: files outside the allowed roots are not read, whoever names them.
        Path token = Files.writeString(outside.resolve("token"), "eyJhbGciOi.service-account-token.s3cr3t");
        Path foreignModel = copyStories(outside.resolve("model"));
        attack("1", "AddCorpus of a secrets file outside the allowed roots", () -> refusedWith(Status.Code.PERMISSION_DENIED,
                () -> alpha.calibration().addCorpus(AddCorpusRequest.newBuilder().setName("token").setPath(token.toString()).build())));
        attack("1", "RegisterModel of a folder outside the allowed roots", () -> refusedWith(Status.Code.PERMISSION_DENIED,
                () -> alpha.registry().registerModel(stories("outside").setArtifactUri(foreignModel.toString()).build())));
        attack("1", "perplexity of a secrets file outside the allowed roots", () -> jobFailsOrIsRefused(alpha,
                SubmitJobRequest.newBuilder().setSpec(JobSpec.newBuilder().setEvaluate(EvaluateRequest.newBuilder()
                        .setModelId(alphaModel).addPerplexity(PerplexitySpec.newBuilder().setName("token")
                                .setPath(token.toString()).setSeqLen(16)))).build(), "outside the allowed roots"));

        // 2. Another team's artifacts in the store are not registered as ours, even while we may read them.
        attack("2", "RegisterCalibrationSet of beta's set file", () -> refusedWith(Status.Code.PERMISSION_DENIED,
                () -> alpha.registry().registerCalibrationSet(RegisterCalibrationSetRequest.newBuilder().setCalibrationSet(
                        betaSet.toBuilder().clearId().clearProducingJobId().setSpec(betaSet.getSpec().toBuilder().setSeed(99)))
                        .build())));
        attack("2", "RegisterModel of beta's compressed model folder", () -> refusedWith(Status.Code.PERMISSION_DENIED,
                () -> alpha.registry().registerModel(stories("taken").setArtifactUri(betaCompressedUri).build())));

        // 3. A team granting read cannot shadow a name the reader uses.
        gamma.admin().grantRead(GrantReadRequest.newBuilder().setReaderTeam(alpha.name()).build());
        String gammaShadow = registerStories(gamma, "reference");
        attack("3", "gamma's 'reference' answers alpha's lookup of the name", () -> {
            try {
                String found = alpha.registry().getModel(GetModelRequest.newBuilder().setId("reference").build()).getId();
                return found.equals(gammaShadow) ? "alpha's lookup of 'reference' found gamma's " + found : null;
            } catch (StatusRuntimeException e) {
                return e.getStatus().getCode() == Status.Code.NOT_FOUND ? null : "unexpected " + e.getStatus();
            }
        });
        attack("3", "a job of alpha naming 'reference' runs on gamma's weights", () -> {
            try {
                Job job = alpha.jobs().submitJob(SubmitJobRequest.newBuilder().setSpec(JobSpec.newBuilder().setEvaluate(
                        EvaluateRequest.newBuilder().setModelId("reference").addTasks("copa").setLimit(2))).build());
                alpha.jobs().cancelJob(CancelJobRequest.newBuilder().setId(job.getId()).build());
                // alpha has no model of that name: accepting it means resolving it in another team
                return "alpha's job naming 'reference' was accepted (" + job.getSpec().getEvaluate().getModelId() + ")";
            } catch (StatusRuntimeException e) {
                return null;
            }
        });
        String qualified = alpha.registry().getModel(GetModelRequest.newBuilder().setId("beta/reference").build()).getId();
        assertEquals(betaModel, qualified, "a qualified name reaches the granting team's model");

        // 4. Results are recorded only under the claim of a job of the recording team, at the registry's time.
        Score injected = Score.newBuilder().setModelId(betaModel).setTask("copa").setMetric("acc").setValue(0.999)
                .setProducingJobId(betaEvaluate.getId()).build();
        attack("4", "RecordScores naming beta's EVALUATE job", () -> refused(() -> alpha.registry().recordScores(
                RecordScoresRequest.newBuilder().addScores(injected).setProducingWorkerId(betaEvaluate.getLeaseOwner())
                        .setProducingAttempt(betaEvaluate.getAttempts()).build())));
        attack("4", "RecordScores with an evaluated_at in the future", () -> refused(() -> alpha.registry().recordScores(
                RecordScoresRequest.newBuilder().addScores(injected.toBuilder().clearProducingJobId()
                        .setEvaluatedAt(com.google.protobuf.Timestamp.newBuilder().setSeconds(4_000_000_000L))).build())));
        attack("4", "RegisterModel as the output of beta's COMPRESS job", () -> refused(() -> alpha.registry().registerModel(
                stories("injected").setProducingJobId(betaCompress.getId()).setProducingWorkerId(betaCompress.getLeaseOwner())
                        .setProducingAttempt(betaCompress.getAttempts()).build())));

        // 5. A member key revokes neither its team's admin key nor the workers' service key.
        String memberSecret = operator.createApiKey(CreateApiKeyRequest.newBuilder().setRole("member").setName("intern").build())
                .getSecret();
        ManagedChannel memberChannel = track(stack.channel("registry", memberSecret));
        AdminGrpc.AdminBlockingStub member = AdminGrpc.newBlockingStub(memberChannel);
        for (ApiKey key : operator.listApiKeys(ListApiKeysRequest.getDefaultInstance()).getApiKeysList()) {
            if (!key.getRole().equals("member") && key.getRevokedAt().getSeconds() == 0) {
                attack("5", "a member revokes the " + key.getRole() + " key " + key.getId(), () -> refused(
                        () -> member.revokeApiKey(RevokeApiKeyRequest.newBuilder().setId(key.getId()).build())));
            }
        }

        // 6. gc keeps what records point at (a set's sidecar) and the store's scratch folder.
        Path betaSetFile = Path.of(URI.create(betaSet.getArtifactUri()));
        // old enough for gc's --min-age: only what records and jobs hold may keep them
        age(betaSetFile.getParent());
        age(Faults.artifacts(stack).resolve(".tmp"));
        LocalStack.CliResult gc = stack.cli("gc", "--min-age", "PT5M", "--json");
        assertEquals(0, gc.exitCode(), "gc:\n" + gc.stdout() + gc.stderr());
        attack("6", "gc deletes the set.json beside beta's registered set", () ->
                Files.isRegularFile(betaSetFile.resolveSibling("set.json")) ? null : "set.json was deleted");
        attack("6", "gc deletes the store's .tmp folder, so every later write fails", () ->
                Files.isDirectory(Faults.artifacts(stack).resolve(".tmp")) ? null : ".tmp was deleted");
        attack("6", "after gc, a calibration set can no longer be drawn", () -> {
            beta.calibration().sampleCalibrationSet(SampleCalibrationSetRequest.newBuilder()
                    .setSpec(Faults.randomWindow(betaModel, betaCorpus, 4, 32, 6)).build());
            return null;
        });

        // 7. A gzip bomb fails its job with the reason, and the worker goes on with the next job.
        Path bomb = gzipBomb(inputs.resolve("bomb.txt.gz"), 300L << 20);
        attack("7", "a gzip-bomb corpus takes the calibration or the eval worker down", () -> {
            // registered as a corpus (the calibration service scans it), then read whole by perplexity
            String corpus = alpha.calibration().addCorpus(AddCorpusRequest.newBuilder().setName("bomb")
                    .setPath(bomb.toString()).setDocumentRule("lines").build()).getId();
            String failed = jobFailsOrIsRefused(alpha, SubmitJobRequest.newBuilder().setMaxAttempts(1).setSpec(JobSpec.newBuilder()
                    .setEvaluate(EvaluateRequest.newBuilder().setModelId(alphaModel).addPerplexity(PerplexitySpec.newBuilder()
                            .setName("bomb").setCorpusId(corpus).setSeqLen(16)))).build(), "once decompressed");
            if (failed != null) {
                return failed;
            }
            Job next = finish(alpha, SubmitJobRequest.newBuilder().setSpec(JobSpec.newBuilder().setEvaluate(
                    EvaluateRequest.newBuilder().setModelId(alphaModel).addTasks("copa").setLimit(2))).build());
            return next.getState() == JobState.JOB_STATE_SUCCEEDED ? null : "the next job did not succeed: " + next;
        });

        // 8. Shared-queue and lease holes. The compression service is stopped, so COMPRESS jobs stay for
        // alpha's own key to claim, as a rogue worker of alpha would.
        stack.kill("compression");
        SubmitJobRequest compress = SubmitJobRequest.newBuilder().setSpec(JobSpec.newBuilder().setCompress(
                CompressRequest.newBuilder().setModelId(alphaModel).setMethod("magnitude")
                        .setParameters(CompressionParameters.newBuilder().setSparsity(0.5)))).build();
        String rogueJob = alpha.jobs().submitJob(compress).getId();
        Job claimed = alpha.jobs().claimJob(ClaimJobRequest.newBuilder().setWorkerId("rogue").addTypes(JobType.JOB_TYPE_COMPRESS)
                .setLeaseSeconds(60).build()).getJob();
        assertEquals(rogueJob, claimed.getId(), "alpha's own key claims alpha's job");
        Path intoBeta = Path.of(URI.create(betaCompressedUri)).resolve("model.safetensors");
        attack("8", "a checkpoint_uri pointing into beta's folder, for the next attempt to load", () -> refused(() ->
                alpha.jobs().heartbeat(HeartbeatRequest.newBuilder().setJobId(rogueJob).setWorkerId("rogue")
                        .setAttempt(claimed.getAttempts()).setCheckpointUri(intoBeta.toUri().toString()).build())));
        alpha.jobs().failJob(FailJobRequest.newBuilder().setJobId(rogueJob).setWorkerId("rogue").setAttempt(claimed.getAttempts())
                .setError("connection reset").setRetryable(true).build());
        Job again = alpha.jobs().claimJob(ClaimJobRequest.newBuilder().setWorkerId("rogue").addTypes(JobType.JOB_TYPE_COMPRESS)
                .setLeaseSeconds(60).build()).getJob();
        assertEquals(claimed.getAttempts() + 1, again.getAttempts());
        attack("8", "a superseded attempt under the same worker id completes the job", () -> refused(() ->
                alpha.jobs().completeJob(dev.calibra.proto.v1.CompleteJobRequest.newBuilder().setJobId(rogueJob)
                        .setWorkerId("rogue").setAttempt(claimed.getAttempts()).addResultIds(alphaModel).build())));
        alpha.jobs().cancelJob(CancelJobRequest.newBuilder().setId(rogueJob).build());

        operator.setTeamQuota(SetTeamQuotaRequest.newBuilder().setTeam(alpha.name()).setMaxPendingJobs(3).build());
        List<String> queued = new ArrayList<>();
        attack("8", "alpha fills the shared queue past its max_pending_jobs", () -> {
            for (int i = 0; i < 5; i++) {
                try {
                    queued.add(alpha.jobs().submitJob(compress).getId());
                } catch (StatusRuntimeException e) {
                    if (e.getStatus().getCode() != Status.Code.RESOURCE_EXHAUSTED) {
                        return "unexpected " + e.getStatus();
                    }
                }
            }
            return queued.size() <= 3 ? null : queued.size() + " jobs waiting, over a limit of 3";
        });
        attack("8", "a study past the team's limit is left half-submitted", () -> {
            String refusal = refusedWith(Status.Code.RESOURCE_EXHAUSTED, () -> alpha.studies().createStudy(
                    CreateStudyRequest.newBuilder().setSpecYaml("""
                            name: flood
                            models: [%s]
                            include_dense: true
                            evaluation:
                              tasks: [copa]
                            """.formatted(alphaModel)).build()));
            int studies = alpha.studies().listStudies(ListStudiesRequest.getDefaultInstance()).getStudiesCount();
            return refusal != null ? refusal : studies == 0 ? null : studies + " studies were created";
        });

        String watched = beta.jobs().submitJob(SubmitJobRequest.newBuilder().setSpec(JobSpec.newBuilder().setCompress(
                CompressRequest.newBuilder().setModelId(betaModel).setMethod("magnitude")
                        .setParameters(CompressionParameters.newBuilder().setSparsity(0.25)))).build()).getId();
        attack("8", "alpha's open watch of beta's job outlives beta's revocation of the grant", () -> {
            Iterator<JobEvent> events = alpha.jobs().withDeadlineAfter(30, TimeUnit.SECONDS)
                    .watchJob(WatchJobRequest.newBuilder().setId(watched).build());
            events.next();
            beta.admin().revokeRead(RevokeReadRequest.newBuilder().setReaderTeam(alpha.name()).build());
            try {
                while (events.hasNext()) {
                    events.next();
                }
                return "the stream ended normally instead of refusing";
            } catch (StatusRuntimeException e) {
                return e.getStatus().getCode() == Status.Code.NOT_FOUND ? null
                        : e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED ? "the stream went on for 30 s after the revocation"
                        : "unexpected " + e.getStatus();
            }
        });
        attack("8", "the same set drawn by two teams shares one folder, which either may delete", () -> {
            String alphaCorpus = alpha.calibration().addCorpus(AddCorpusRequest.newBuilder().setName("tinystories")
                    .setPath(Faults.TINYSTORIES.toString()).build()).getId();
            CalibrationSet alphaSet = alpha.calibration().sampleCalibrationSet(SampleCalibrationSetRequest.newBuilder()
                    .setSpec(Faults.randomWindow(alphaModel, alphaCorpus, 8, 64, 5)).build());
            Path alphaFile = Path.of(URI.create(alphaSet.getArtifactUri()));
            return alphaFile.startsWith(Faults.artifacts(stack).resolve("teams/alpha")) && !alphaFile.equals(betaSetFile) ? null
                    : "alpha's set lies at " + alphaFile + ", beta's at " + betaSetFile;
        });
        for (String id : queued) {
            alpha.jobs().cancelJob(CancelJobRequest.newBuilder().setId(id).build());
        }

        System.out.println("AttackSuiteIT: " + tried.size() + " attacks tried across findings 1-8, "
                + (breaches.isEmpty() ? "none succeeded" : breaches.size() + " succeeded"));
        assertEquals(List.of(), breaches, "attacks that got through");
    }

    /** Runs one attack; {@code breach} answers null when it was held, else what got through. */
    private static void attack(String finding, String what, Callable<String> breach) throws Exception {
        tried.add(finding + ": " + what);
        String got = breach.call();
        System.out.println("AttackSuiteIT: finding " + finding + ", " + what + ": " + (got == null ? "held" : "BREACH " + got));
        if (got != null) {
            breaches.add("finding " + finding + ", " + what + ": " + got);
        }
    }

    /** Null when the call was refused (any status but OK), else a breach. */
    private static String refused(Runnable call) {
        try {
            call.run();
            return "the call was accepted";
        } catch (StatusRuntimeException e) {
            return null;
        }
    }

    private static String refusedWith(Status.Code code, Runnable call) {
        try {
            call.run();
            return "the call was accepted";
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode() == code ? null : "refused with " + e.getStatus() + ", expected " + code;
        }
    }

    /** Null when the submission is refused or the job ends FAILED saying {@code reason}, else a breach. */
    private static String jobFailsOrIsRefused(Team team, SubmitJobRequest request, String reason) throws InterruptedException {
        Job submitted;
        try {
            submitted = team.jobs().submitJob(request);
        } catch (StatusRuntimeException e) {
            return null;
        }
        Job done = awaitFinished(team, submitted.getId());
        if (done.getState() != JobState.JOB_STATE_FAILED) {
            return "the job ended " + done.getState();
        }
        return done.getError().contains(reason) ? null : "the job failed for another reason: " + done.getError();
    }

    /** Polls as the team (the operator's key cannot see other teams' jobs) until the job has finished. */
    private static Job awaitFinished(Team team, String id) throws InterruptedException {
        long deadline = System.nanoTime() + JOB_LIMIT.toNanos();
        Job job = team.jobs().getJob(dev.calibra.proto.v1.GetJobRequest.newBuilder().setId(id).build());
        while (job.getState() == JobState.JOB_STATE_PENDING || job.getState() == JobState.JOB_STATE_RUNNING) {
            assertTrue(System.nanoTime() < deadline, "job " + id + " did not finish within " + JOB_LIMIT + ": " + job);
            Thread.sleep(250);
            job = team.jobs().getJob(dev.calibra.proto.v1.GetJobRequest.newBuilder().setId(id).build());
        }
        return job;
    }

    private static Job finish(Team team, SubmitJobRequest request) throws InterruptedException {
        Job done = awaitFinished(team, team.jobs().submitJob(request).getId());
        assertEquals(JobState.JOB_STATE_SUCCEEDED, done.getState(), done.toString());
        return done;
    }

    private static Team team(AdminGrpc.AdminBlockingStub operator, String name) {
        String secret = operator.createTeam(CreateTeamRequest.newBuilder().setName(name).build()).getSecret();
        ManagedChannel registry = track(stack.channel("registry", secret));
        ManagedChannel calibration = track(stack.channel("calibration", secret));
        return new Team(name, secret, RegistryGrpc.newBlockingStub(registry), JobsGrpc.newBlockingStub(registry),
                AdminGrpc.newBlockingStub(registry), CalibrationGrpc.newBlockingStub(calibration), StudiesGrpc.newBlockingStub(registry));
    }

    private static ManagedChannel track(ManagedChannel channel) {
        channels.add(channel);
        return channel;
    }

    private static RegisterModelRequest.Builder stories(String name) {
        return RegisterModelRequest.newBuilder().setName(name).setArtifactUri(Faults.STORIES.toString())
                .setArchitecture("LlamaForCausalLM").setParameterCount(260_000);
    }

    private static String registerStories(Team team, String name) {
        return team.registry().registerModel(stories(name).build()).getId();
    }

    private static Path copyStories(Path target) throws IOException {
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(Faults.STORIES)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, target.resolve(file.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return target;
    }

    /** Sets a file or folder and everything under it two days back. */
    private static void age(Path root) throws IOException {
        java.nio.file.attribute.FileTime old = java.nio.file.attribute.FileTime.from(
                java.time.Instant.now().minus(2, java.time.temporal.ChronoUnit.DAYS));
        try (Stream<Path> tree = Files.walk(root)) {
            for (Path path : tree.toList()) {
                Files.setLastModifiedTime(path, old);
            }
        }
    }

    /** A small gzip file that decompresses to {@code bytes} of text. */
    private static Path gzipBomb(Path file, long bytes) throws IOException {
        byte[] line = "a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a\n".repeat(1024).getBytes();
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file), 1 << 16)) {
            for (long written = 0; written < bytes; written += line.length) {
                out.write(line);
            }
        }
        return file;
    }
}
