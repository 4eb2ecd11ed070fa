package dev.calibra.registry.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.calibra.artifacts.ContentHash;
import dev.calibra.proto.v1.CalibrationSet;
import dev.calibra.proto.v1.ClaimJobRequest;
import dev.calibra.proto.v1.CompleteJobRequest;
import dev.calibra.proto.v1.CompressionLineage;
import dev.calibra.proto.v1.CreateStudyRequest;
import dev.calibra.proto.v1.GetStudyReportRequest;
import dev.calibra.proto.v1.GetStudyRequest;
import dev.calibra.proto.v1.Job;
import dev.calibra.proto.v1.JobState;
import dev.calibra.proto.v1.JobType;
import dev.calibra.proto.v1.JobsGrpc;
import dev.calibra.proto.v1.RecordScoresRequest;
import dev.calibra.proto.v1.RegisterCalibrationSetRequest;
import dev.calibra.proto.v1.RegisterCorpusRequest;
import dev.calibra.proto.v1.RegisterModelRequest;
import dev.calibra.proto.v1.RegistryGrpc;
import dev.calibra.proto.v1.ReportGroup;
import dev.calibra.proto.v1.Score;
import dev.calibra.proto.v1.StudiesGrpc;
import dev.calibra.proto.v1.Study;
import dev.calibra.proto.v1.StudyJob;
import dev.calibra.proto.v1.StudyReport;
import dev.calibra.proto.v1.StudyState;
import dev.calibra.registry.Assets;
import dev.calibra.registry.KeyedChannels;
import dev.calibra.registry.TestDatabase;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Studies against the real registry and PostgreSQL: grid expansion into the queue, idempotency, reuse
 * across studies, refusal of bad specs, and a report built from scores recorded by this test acting
 * as the three workers through the real Jobs and Registry RPCs.
 */
@QuarkusTest
@QuarkusTestResource(TestDatabase.class)
class StudiesGrpcServiceTest {

    @GrpcClient("registry") StudiesGrpc.StudiesBlockingStub studies;
    @GrpcClient("registry") JobsGrpc.JobsBlockingStub jobs;
    @GrpcClient("registry") RegistryGrpc.RegistryBlockingStub registry;
    @Inject EntityManager entityManager;
    @ConfigProperty(name = "calibra.auth.admin-key") String adminKey;

    @TempDir Path temp;

    private String model;
    private String corpus;

    @BeforeEach
    void registerModelAndCorpus() throws IOException {
        // Other tests' pending jobs would be claimed first; finish them so each test sees only its own.
        QuarkusTransaction.requiringNew().run(() -> entityManager.createNativeQuery(
                "UPDATE job SET state = 'CANCELLED', finished_at = now() WHERE state IN ('PENDING', 'RUNNING')").executeUpdate());
        model = registry.registerModel(RegisterModelRequest.newBuilder().setName("stories260K")
                .setArtifactUri(Assets.stories260K().toString()).setArchitecture("LlamaForCausalLM")
                .setParameterCount(260_000).setDtype("float32").build()).getName();
        Path file = Assets.corpus("tiny_shakespeare.txt");
        corpus = registry.registerCorpus(RegisterCorpusRequest.newBuilder().setName("shakespeare")
                .setSourceUri(file.toString()).setSha256(ContentHash.ofFile(file)).setDocumentCount(7000)
                .setDocumentRule("blank-lines").build()).getName();
    }

    private String yaml(int sets, String extraMethod) {
        return """
                name: test-grid
                models: [%s]
                include_dense: true
                methods:
                  - {method: gptq, bits: 4}
                  %s
                sources:
                  - {label: drama, strategy: random_window, corpus: %s, n_samples: 4, seq_len: 32, sets: %d, seed: %d}
                evaluation:
                  tasks: [copa, piqa]
                  limit: 20
                """.formatted(model, extraMethod, corpus, sets, Math.abs(UUID.randomUUID().hashCode()));
    }

    private Study create(String yaml, String requestId) {
        return studies.createStudy(CreateStudyRequest.newBuilder().setSpecYaml(yaml).setRequestId(requestId).build());
    }

    private long jobCount() {
        return QuarkusTransaction.requiringNew().call(() ->
                ((Number) entityManager.createNativeQuery("SELECT count(*) FROM job").getSingleResult()).longValue());
    }

    @Test
    void createStudy_expandsTheGridIntoDependentJobs() {
        Study study = create(yaml(2, "- {method: rtn, bits: 4}"), UUID.randomUUID().toString());
        // dense eval; rtn compress + eval; per set: calibrate, gptq compress, eval.
        assertEquals(1 + 2 + 2 * 3, study.getJobsTotal());
        assertEquals(study.getJobsTotal(), study.getJobsPending());
        assertEquals(StudyState.STUDY_STATE_RUNNING, study.getState());
        Map<String, StudyJob> byRequest = study.getJobsList().stream()
                .collect(Collectors.toMap(StudyJob::getRequestId, job -> job, (a, b) -> a));
        for (StudyJob job : study.getJobsList()) {
            Job queued = jobs.getJob(dev.calibra.proto.v1.GetJobRequest.newBuilder().setId(job.getJobId()).build());
            assertEquals(study.getId(), queued.getStudyId());
            List<String> expected = job.getDependsOnList().stream().map(r -> byRequest.get(r).getJobId()).toList();
            assertEquals(expected, queued.getDependsOnList());
            switch (job.getType()) {
                case JOB_TYPE_CALIBRATE -> assertTrue(job.getDependsOnList().isEmpty());
                case JOB_TYPE_COMPRESS -> assertEquals(job.getMethod().equals("rtn-4bit") ? 0 : 1, job.getDependsOnCount());
                case JOB_TYPE_EVALUATE -> {
                    assertEquals(job.getMethod().equals("dense") ? 0 : 1, job.getDependsOnCount());
                    assertEquals(job.getMethod().equals("dense"), !queued.getSpec().getEvaluate().getModelId().isEmpty());
                }
                default -> throw new IllegalArgumentException("unexpected job type " + job.getType());
            }
        }
    }

    @Test
    void createStudy_givesEveryJobTheCallsTraceparent() {
        String traceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER), traceParent);
        // A plain channel: the injected clients may be traced and send a traceparent of their own.
        ManagedChannel channel = KeyedChannels.withKey(adminKey);
        try {
            Study study = StudiesGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                    .createStudy(CreateStudyRequest.newBuilder().setSpecYaml(yaml(1, "")).build());
            assertFalse(study.getJobsList().isEmpty());
            for (StudyJob cell : study.getJobsList()) {
                assertEquals(traceParent, jobs.getJob(dev.calibra.proto.v1.GetJobRequest.newBuilder().setId(cell.getJobId()).build())
                        .getTraceParent(), cell.getRequestId());
            }
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void createStudy_sameRequestIdTwice_returnsTheSameStudyAndCreatesNoJob() {
        String yaml = yaml(2, "");
        String requestId = UUID.randomUUID().toString();
        Study first = create(yaml, requestId);
        long jobsAfterFirst = jobCount();
        Study second = create(yaml, requestId);
        assertEquals(first.getId(), second.getId());
        assertEquals(first.getJobsList(), second.getJobsList());
        assertEquals(jobsAfterFirst, jobCount());
    }

    @Test
    void createStudy_sameRequestIdFromManyCallersAtOnce_makesOneStudyAndOneSetOfJobs() throws Exception {
        String yaml = yaml(3, "- {method: wanda, sparsity: 0.5}");
        String requestId = UUID.randomUUID().toString();
        long before = jobCount();
        java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(6);
        try {
            List<java.util.concurrent.Future<Study>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 6; i++) {
                answers.add(callers.submit(() -> create(yaml, requestId)));
            }
            Set<String> ids = new HashSet<>();
            for (java.util.concurrent.Future<Study> answer : answers) {
                ids.add(answer.get().getId());
            }
            assertEquals(1, ids.size(), "every caller is answered with the one study");
            Study study = answers.get(0).get();
            assertEquals(study.getJobsTotal(), jobCount() - before, "its jobs were queued once");
            assertEquals(1 + 3 * (1 + 2 + 2), study.getJobsTotal());
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void aStudyLeftHalfQueuedByAnOlderRegistry_isCompletedWhenItsRequestIdIsAskedAgain() {
        String requestId = UUID.randomUUID().toString();
        Study study = create(yaml(1, ""), requestId);
        int total = study.getJobsTotal();
        StudyJob last = study.getJobs(total - 1);
        // As if the registry had stopped before queueing the last cell: its cell and its job are missing.
        QuarkusTransaction.requiringNew().run(() -> {
            entityManager.createNativeQuery("DELETE FROM study_job WHERE study_id = :s AND position = :p")
                    .setParameter("s", study.getId()).setParameter("p", total - 1).executeUpdate();
            entityManager.createNativeQuery("DELETE FROM job_dependency WHERE job_id = :j").setParameter("j", last.getJobId())
                    .executeUpdate();
            entityManager.createNativeQuery("DELETE FROM job WHERE id = :j").setParameter("j", last.getJobId()).executeUpdate();
        });
        assertEquals(total - 1, studies.getStudy(GetStudyRequest.newBuilder().setId(study.getId()).build()).getJobsList().size());

        Study resumed = create(yaml(1, ""), requestId);

        assertEquals(study.getId(), resumed.getId());
        assertEquals(total, resumed.getJobsList().size(), "every cell queued");
        StudyJob requeued = resumed.getJobs(total - 1);
        assertEquals(last.getRequestId(), requeued.getRequestId());
        assertEquals(study.getJobs(0).getJobId(), resumed.getJobs(0).getJobId(), "queued cells keep their jobs");
        Job job = jobs.getJob(dev.calibra.proto.v1.GetJobRequest.newBuilder().setId(requeued.getJobId()).build());
        assertEquals(study.getId(), job.getStudyId());
        assertEquals(List.of(resumed.getJobs(total - 2).getJobId()), job.getDependsOnList());
    }

    @Test
    void createStudy_sameWorkInAnotherStudy_reusesTheJobs() {
        String yaml = yaml(2, "");
        Study first = create(yaml, UUID.randomUUID().toString());
        long jobsAfterFirst = jobCount();
        Study dryRun = studies.createStudy(CreateStudyRequest.newBuilder().setSpecYaml(yaml).setDryRun(true).build());
        assertTrue(dryRun.getId().isEmpty());
        assertTrue(dryRun.getJobsList().stream().allMatch(StudyJob::getReused), "the plan shows the work already exists");
        Study second = create(yaml, UUID.randomUUID().toString());
        assertFalse(first.getId().equals(second.getId()));
        assertEquals(jobsAfterFirst, jobCount());
        assertEquals(first.getJobsList().stream().map(StudyJob::getJobId).toList(),
                second.getJobsList().stream().map(StudyJob::getJobId).toList());
        assertTrue(second.getJobsList().stream().allMatch(StudyJob::getReused));
    }

    @Test
    void createStudy_badSpec_isRefusedNamingThePathAndStartsNothing() {
        long before = jobCount();
        StatusRuntimeException error = assertThrows(StatusRuntimeException.class,
                () -> create(yaml(2, "- {method: sparsegpt, sparsity: 1.5}"), UUID.randomUUID().toString()));
        assertEquals(Status.Code.INVALID_ARGUMENT, error.getStatus().getCode());
        assertTrue(error.getStatus().getDescription().contains("methods[1].sparsity must be in (0, 1), got 1.5 (line 6)"),
                error.getStatus().getDescription());
        StatusRuntimeException unknownModel = assertThrows(StatusRuntimeException.class,
                () -> create(yaml(1, "").replace("models: [" + model + "]", "models: [gpt-5]"), ""));
        assertTrue(unknownModel.getStatus().getDescription().contains("models[0] 'gpt-5' is not a registered model"));
        assertEquals(before, jobCount());
    }

    @Test
    void getStudyReport_afterWorkersFinish_aggregatesPerSetScoresWithLineage() throws IOException {
        Study study = create(yaml(3, ""), UUID.randomUUID().toString());
        Map<String, StudyJob> cells = new HashMap<>();
        study.getJobsList().forEach(job -> cells.put(job.getJobId(), job));
        Map<Integer, String> fingerprints = new HashMap<>();
        int done = 0;
        while (done < study.getJobsTotal()) {
            Job job = jobs.claimJob(ClaimJobRequest.newBuilder().setWorkerId("test-worker").addTypes(JobType.JOB_TYPE_CALIBRATE)
                    .addTypes(JobType.JOB_TYPE_COMPRESS).addTypes(JobType.JOB_TYPE_EVALUATE).build()).getJob();
            assertFalse(job.getId().isEmpty(), "a runnable job remains while the study is unfinished");
            StudyJob cell = cells.get(job.getId());
            String result = switch (job.getType()) {
                case JOB_TYPE_CALIBRATE -> calibrate(job, cell.getSetIndex(), fingerprints);
                case JOB_TYPE_COMPRESS -> compress(job, cell.getSetIndex());
                case JOB_TYPE_EVALUATE -> evaluate(job, cell);
                default -> throw new IllegalArgumentException("unexpected job type " + job.getType());
            };
            jobs.completeJob(CompleteJobRequest.newBuilder().setAttempt(1).setJobId(job.getId()).setWorkerId("test-worker").addResultIds(result).build());
            done++;
        }
        assertEquals(StudyState.STUDY_STATE_FINISHED,
                studies.getStudy(GetStudyRequest.newBuilder().setId(study.getId()).build()).getState());

        StudyReport report = studies.getStudyReport(GetStudyReportRequest.newBuilder().setId(study.getId()).build());
        ReportGroup copa = group(report, "copa");
        assertEquals(List.of(0.50, 0.56, 0.53), copa.getValuesList());
        assertEquals(List.of(fingerprints.get(0), fingerprints.get(1), fingerprints.get(2)), copa.getFingerprintsList());
        assertEquals(3, new HashSet<>(copa.getModelIdsList()).size());
        assertEquals(0.53, copa.getMean(), 1e-12);
        assertEquals(0.03, copa.getStd(), 1e-12);
        assertEquals(0.06, copa.getRange(), 1e-12);
        assertEquals(0.05, copa.getEvalStderr(), 1e-12);
        ReportGroup average = group(report, ReportAggregator.TASK_AVERAGE);
        assertEquals(List.of((0.50 + 0.70) / 2, (0.56 + 0.71) / 2, (0.53 + 0.72) / 2), average.getValuesList());
        for (ReportGroup group : report.getGroupsList()) {
            Spread recomputed = Spread.of(group.getValuesList());
            assertEquals(recomputed.std(), group.getStd(), 0.0, "std recomputes exactly from the values");
            assertEquals(recomputed.range(), group.getRange(), 0.0);
            assertEquals(3, group.getEvaluateJobIdsCount());
        }
        assertEquals(3, report.getBaselinesCount(), "dense copa, piqa and their average");
        assertTrue(report.getBaselinesList().stream().allMatch(b -> b.getMethod().equals("dense")));
        assertFalse(report.getFindingsList().isEmpty());
        assertTrue(report.getFindings(0).contains("gptq-4bit was the most sensitive method"), report.getFindings(0));
    }

    /**
     * The paper's grid in small (models x methods x sources x sets, a data-free baseline, the dense model, 11
     * evaluations each), driven to the end by this test as a dry-run worker recording seeded scores; every
     * report group and baseline must equal what SQL computes from the score rows directly.
     */
    @Test
    void getStudyReport_ofAPaperShapedGrid_equalsTheStatisticsSqlComputesFromTheScores() throws IOException {
        String second = registry.registerModel(RegisterModelRequest.newBuilder().setName("stories260K-twin")
                .setArtifactUri(Assets.stories260K().toString()).setArchitecture("LlamaForCausalLM")
                .setParameterCount(260_000).setDtype("float32").build()).getName();
        int seed = Math.abs(UUID.randomUUID().hashCode());
        String yaml = """
                name: paper-shaped
                models: [%s, %s]
                include_dense: true
                methods:
                  - {method: gptq, bits: 4, group_size: 128, sym: true}
                  - {method: wanda, sparsity: 0.5}
                  - {method: rtn, bits: 4}
                sources:
                  - {label: drama, strategy: random_window, corpus: %s, n_samples: 4, seq_len: 32, sets: 3, seed: %d}
                  - {label: verse, strategy: random_window, corpus: %s, n_samples: 8, seq_len: 16, sets: 3, seed: %d}
                evaluation:
                  tasks: [%s]
                  perplexity:
                    - {name: drama-ppl, corpus: %s, seq_len: 32}
                """.formatted(model, second, corpus, seed, corpus, seed, String.join(", ", StudySpecValidator.TASKS), corpus);
        Study study = create(yaml, UUID.randomUUID().toString());
        // per model: dense eval, rtn compress + eval, 2 sources x 3 sets x (calibrate + 2 x (compress + eval))
        assertEquals(2 * (1 + 2 + 6 * 5), study.getJobsTotal());
        Map<String, StudyJob> cells = new HashMap<>();
        study.getJobsList().forEach(job -> cells.put(job.getJobId(), job));
        java.util.Random values = new java.util.Random(seed);
        for (int done = 0; done < study.getJobsTotal(); done++) {
            Job job = jobs.claimJob(ClaimJobRequest.newBuilder().setWorkerId("test-worker").addTypes(JobType.JOB_TYPE_CALIBRATE)
                    .addTypes(JobType.JOB_TYPE_COMPRESS).addTypes(JobType.JOB_TYPE_EVALUATE).build()).getJob();
            assertFalse(job.getId().isEmpty(), "a runnable job remains while the study is unfinished");
            String result = switch (job.getType()) {
                case JOB_TYPE_CALIBRATE -> calibrate(job, cells.get(job.getId()).getSetIndex(), new HashMap<>());
                case JOB_TYPE_COMPRESS -> compress(job, cells.get(job.getId()).getSetIndex());
                case JOB_TYPE_EVALUATE -> evaluateEverything(job, values);
                default -> throw new IllegalArgumentException("unexpected job type " + job.getType());
            };
            jobs.completeJob(CompleteJobRequest.newBuilder().setAttempt(job.getAttempts()).setJobId(job.getId())
                    .setWorkerId("test-worker").addResultIds(result).build());
        }
        StudyReport report = studies.getStudyReport(GetStudyReportRequest.newBuilder().setId(study.getId()).build());

        // per model, method and source: 10 tasks, the perplexity and the task average
        assertEquals(2 * 2 * 2 * 12, report.getGroupsCount());
        Map<List<String>, Object[]> expected = sqlGroups(study.getId());
        assertEquals(expected.keySet(), report.getGroupsList().stream()
                .map(g -> List.of(g.getModel(), g.getMethod(), g.getSource(), g.getTask(), g.getMetric()))
                .collect(Collectors.toSet()));
        for (ReportGroup group : report.getGroupsList()) {
            Object[] sql = expected.get(List.of(group.getModel(), group.getMethod(), group.getSource(), group.getTask(), group.getMetric()));
            String name = group.getModel() + "/" + group.getMethod() + "/" + group.getSource() + "/" + group.getTask();
            assertEquals(((Number) sql[0]).intValue(), group.getValuesCount(), name);
            assertEquals(((Number) sql[1]).doubleValue(), group.getMean(), 1e-12, name);
            assertEquals(((Number) sql[2]).doubleValue(), group.getStd(), 1e-12, name);
            assertEquals(((Number) sql[3]).doubleValue(), group.getMin(), 1e-12, name);
            assertEquals(((Number) sql[4]).doubleValue(), group.getMax(), 1e-12, name);
            assertEquals(((Number) sql[4]).doubleValue() - ((Number) sql[3]).doubleValue(), group.getRange(), 1e-12, name);
        }
        // dense and rtn per model: 11 evaluations and the task average
        long baselineScores = QuarkusTransaction.requiringNew().call(() -> ((Number) entityManager.createNativeQuery("""
                SELECT count(*) FROM study_job s JOIN score sc ON sc.producing_job_id = s.job_id
                WHERE s.study_id = :study AND s.type = 'EVALUATE' AND s.source = ''""")
                .setParameter("study", study.getId()).getSingleResult()).longValue());
        assertEquals(2 * 2 * 11, baselineScores);
        assertEquals(baselineScores + 2 * 2, report.getBaselinesCount());
    }

    /** Per (model, method, source, task, metric): n, mean, sample std, min, max, straight from the score rows. */
    private Map<List<String>, Object[]> sqlGroups(String studyId) {
        String cells = """
                SELECT s.model, s.method, s.source, s.set_index, sc.task, sc.metric, sc.value
                FROM study_job s JOIN score sc ON sc.producing_job_id = s.job_id
                WHERE s.study_id = :study AND s.type = 'EVALUATE' AND s.source <> ''""";
        String sql = """
                SELECT model, method, source, task, metric, count(*), avg(value), coalesce(stddev_samp(value), 0), min(value), max(value)
                FROM (%s
                      UNION ALL
                      SELECT model, method, source, set_index, 'task_average', 'acc', avg(value)
                      FROM (%s) c WHERE metric = 'acc' GROUP BY model, method, source, set_index HAVING count(*) >= 2) g
                GROUP BY model, method, source, task, metric""".formatted(cells, cells);
        @SuppressWarnings("unchecked")
        List<Object[]> rows = QuarkusTransaction.requiringNew().call(() ->
                entityManager.createNativeQuery(sql).setParameter("study", studyId).getResultList());
        Map<List<String>, Object[]> groups = new HashMap<>();
        rows.forEach(r -> groups.put(List.of((String) r[0], (String) r[1], (String) r[2], (String) r[3], (String) r[4]),
                java.util.Arrays.copyOfRange(r, 5, 10)));
        return groups;
    }

    /** The evaluation a dry-run worker would record: every task's accuracy and the perplexity, seeded values. */
    private String evaluateEverything(Job job, java.util.Random values) {
        String modelId = job.getSpec().getEvaluate().getModelId();
        RecordScoresRequest.Builder scores = RecordScoresRequest.newBuilder().setProducingWorkerId("test-worker")
                .setProducingAttempt(job.getAttempts());
        for (String task : job.getSpec().getEvaluate().getTasksList()) {
            scores.addScores(Score.newBuilder().setModelId(modelId).setTask(task).setMetric("acc")
                    .setValue(0.25 + 0.5 * values.nextDouble()).setStderr(0.01 + 0.02 * values.nextDouble()).setN(100)
                    .setProducingJobId(job.getId()));
        }
        job.getSpec().getEvaluate().getPerplexityList().forEach(text -> scores.addScores(Score.newBuilder().setModelId(modelId)
                .setTask(text.getName()).setMetric("word_perplexity").setValue(10 + 40 * values.nextDouble()).setN(1000)
                .setProducingJobId(job.getId())));
        assertEquals(11, scores.getScoresCount());
        registry.recordScores(scores.build());
        return job.getId();
    }

    private static ReportGroup group(StudyReport report, String task) {
        return report.getGroupsList().stream().filter(g -> g.getTask().equals(task) && g.getMetric().equals("acc"))
                .findFirst().orElseThrow(() -> new AssertionError("no group for " + task + " in " + report.getGroupsList()));
    }

    private String calibrate(Job job, int set, Map<Integer, String> fingerprints) throws IOException {
        Path artifact = Files.writeString(temp.resolve("set-" + job.getId() + ".safetensors"), "tokens of " + job.getId());
        String fingerprint = ContentHash.ofFile(artifact);
        fingerprints.put(set, fingerprint);
        CalibrationSet registered = registry.registerCalibrationSet(RegisterCalibrationSetRequest.newBuilder().setCalibrationSet(
                CalibrationSet.newBuilder().setFingerprint(fingerprint).setSpec(job.getSpec().getCalibrate().getSpec())
                        .setSamplerVersion("test").setTokenizerSha256(fingerprint).setArtifactUri(artifact.toString())
                        .setProducingJobId(job.getId()))
                .setProducingWorkerId("test-worker").setProducingAttempt(job.getAttempts()).build());
        return registered.getId();
    }

    private String compress(Job job, int set) throws IOException {
        String calibrationSetId = job.getSpec().getCompress().getCalibrationSetId();
        assertEquals(job.getDependsOnCount() > 0, !calibrationSetId.isEmpty(),
                "the queue fills the calibration set from the CALIBRATE dependency (data-free methods have none)");
        Path folder = Files.createDirectories(temp.resolve("model-" + job.getId()));
        Files.copy(Assets.stories260K().resolve("config.json"), folder.resolve("config.json"));
        Files.writeString(folder.resolve("model.safetensors"), "weights of " + job.getId());
        return registry.registerModel(RegisterModelRequest.newBuilder().setName(job.getSpec().getCompress().getOutputName())
                .setArtifactUri(folder.toString()).setArchitecture("LlamaForCausalLM").setParameterCount(260_000)
                .setDtype("gptq-int4").setParentModelId(job.getSpec().getCompress().getModelId()).setProducingJobId(job.getId())
                .setProducingWorkerId("test-worker").setProducingAttempt(job.getAttempts())
                .setCompression(CompressionLineage.newBuilder().setMethod("gptq").setCalibrationSetId(calibrationSetId))
                .build()).getId();
    }

    private String evaluate(Job job, StudyJob cell) {
        String modelId = job.getSpec().getEvaluate().getModelId();
        assertFalse(modelId.isEmpty(), "the queue fills the model from the COMPRESS dependency");
        boolean dense = cell.getMethod().equals("dense");
        double[] copa = {0.50, 0.56, 0.53};
        double copaValue = dense ? 0.60 : copa[cell.getSetIndex()];
        double piqaValue = dense ? 0.75 : 0.70 + 0.01 * cell.getSetIndex();
        registry.recordScores(RecordScoresRequest.newBuilder()
                .addScores(Score.newBuilder().setModelId(modelId).setTask("copa").setMetric("acc").setValue(copaValue)
                        .setStderr(0.05).setN(20).setProducingJobId(job.getId()))
                .addScores(Score.newBuilder().setModelId(modelId).setTask("piqa").setMetric("acc").setValue(piqaValue)
                        .setStderr(0.1).setN(20).setProducingJobId(job.getId()))
                .setProducingWorkerId("test-worker").setProducingAttempt(job.getAttempts()).build());
        return job.getId();
    }
}
