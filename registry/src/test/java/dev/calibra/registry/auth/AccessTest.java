package dev.calibra.registry.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Message;
import dev.calibra.artifacts.ContentHash;
import dev.calibra.artifacts.StoreLayout;
import dev.calibra.proto.v1.AdminGrpc;
import dev.calibra.proto.v1.CalibrationSet;
import dev.calibra.proto.v1.CalibrationSpec;
import dev.calibra.proto.v1.CancelJobRequest;
import dev.calibra.proto.v1.CancelStudyRequest;
import dev.calibra.proto.v1.ClaimJobRequest;
import dev.calibra.proto.v1.CompleteJobRequest;
import dev.calibra.proto.v1.CreateApiKeyRequest;
import dev.calibra.proto.v1.CreateStudyRequest;
import dev.calibra.proto.v1.CreateTeamRequest;
import dev.calibra.proto.v1.CreateTeamResponse;
import dev.calibra.proto.v1.DeleteModelRequest;
import dev.calibra.proto.v1.EvaluateRequest;
import dev.calibra.proto.v1.FailJobRequest;
import dev.calibra.proto.v1.GetCalibrationSetRequest;
import dev.calibra.proto.v1.GetCorpusRequest;
import dev.calibra.proto.v1.GetJobRequest;
import dev.calibra.proto.v1.GetModelRequest;
import dev.calibra.proto.v1.GetStudyReportRequest;
import dev.calibra.proto.v1.GetStudyRequest;
import dev.calibra.proto.v1.GrantReadRequest;
import dev.calibra.proto.v1.HeartbeatRequest;
import dev.calibra.proto.v1.Identity;
import dev.calibra.proto.v1.JobSpec;
import dev.calibra.proto.v1.JobType;
import dev.calibra.proto.v1.JobsGrpc;
import dev.calibra.proto.v1.ListApiKeysRequest;
import dev.calibra.proto.v1.ListArtifactReferencesRequest;
import dev.calibra.proto.v1.ListCalibrationSetsRequest;
import dev.calibra.proto.v1.ListCorporaRequest;
import dev.calibra.proto.v1.ListGrantsRequest;
import dev.calibra.proto.v1.ListJobsRequest;
import dev.calibra.proto.v1.ListModelsRequest;
import dev.calibra.proto.v1.ListStudiesRequest;
import dev.calibra.proto.v1.ListTeamsRequest;
import dev.calibra.proto.v1.QueryAuditRequest;
import dev.calibra.proto.v1.QueryScoresRequest;
import dev.calibra.proto.v1.RecordScoresRequest;
import dev.calibra.proto.v1.RegisterCalibrationSetRequest;
import dev.calibra.proto.v1.RegisterCorpusRequest;
import dev.calibra.proto.v1.RegisterModelRequest;
import dev.calibra.proto.v1.RegistryGrpc;
import dev.calibra.proto.v1.RevokeApiKeyRequest;
import dev.calibra.proto.v1.RevokeReadRequest;
import dev.calibra.proto.v1.Score;
import dev.calibra.proto.v1.SetTeamQuotaRequest;
import dev.calibra.proto.v1.StudiesGrpc;
import dev.calibra.proto.v1.SubmitJobRequest;
import dev.calibra.proto.v1.UpdateModelRequest;
import dev.calibra.proto.v1.WatchJobRequest;
import dev.calibra.proto.v1.WatchStudyRequest;
import dev.calibra.proto.v1.WeightedCorpus;
import dev.calibra.proto.v1.WhoAmIRequest;
import dev.calibra.registry.Assets;
import dev.calibra.registry.KeyedChannels;
import dev.calibra.registry.TestDatabase;
import dev.calibra.registry.audit.AuditedMethods;
import dev.calibra.rpc.auth.ApiKeys;
import dev.calibra.rpc.auth.CallerCredentials;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Isolation between teams, over every RPC of Registry, Jobs, Studies and Admin: without a key every
 * call is UNAUTHENTICATED; team A's member key never reaches team B's records (NOT_FOUND or
 * PERMISSION_DENIED, and no id of B in any answer); once B grants A read, A reads B's records but
 * still cannot change them. Every mutating call leaves an audit row with its outcome. The phases run
 * in order (@Order): every check without a grant comes before the first grant.
 */
@QuarkusTest
@QuarkusTestResource(TestDatabase.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AccessTest {

    @GrpcClient("registry") AdminGrpc.AdminBlockingStub admin;
    @Inject EntityManager entityManager;
    @ConfigProperty(name = "calibra.auth.service-key") String serviceKey;
    @ConfigProperty(name = "calibra.auth.admin-key") String adminKey;
    @Inject ApiKeyService keys;
    @ConfigProperty(name = "calibra.artifacts.root") String storeRoot;

    /** Teams A, B and C, and B's records; made once for the class (teams cannot be deleted). */
    static World world;

    record World(String teamA, String keyA, String keyIdA, String teamB, String keyB, String keyIdB, String teamC,
            String modelB, String corpusB, String setB, String fingerprintB, String scoreB, String jobB,
            String runningJobB, String studyB, ManagedChannel asA, ManagedChannel asB, ManagedChannel anonymous) {

        /** Everything that identifies B's records: none of it may appear in an answer to A. */
        List<String> idsOfB() {
            return List.of(modelB, corpusB, setB, fingerprintB, scoreB, jobB, runningJobB, studyB, keyIdB);
        }
    }

    /** What a call must answer: a status code and, for OK, an id of B that must (or must not) be in it. */
    record Expect(Status.Code code, Function<World, String> shows) {
        static Expect ok() {
            return new Expect(Status.Code.OK, null);
        }

        static Expect showing(Function<World, String> id) {
            return new Expect(Status.Code.OK, id);
        }

        static Expect refused(Status.Code code) {
            return new Expect(code, null);
        }

        @Override
        public String toString() {
            return code.name();
        }
    }

    /** One RPC: the request team A sends about B's records, and the answers before and after B's grant. */
    record Row(MethodDescriptor<?, ?> method, Function<World, Message> request, Expect before, Expect afterGrant) {
        @Override
        public String toString() {
            return method.getBareMethodName() + ": " + before + " then " + afterGrant;
        }
    }

    private static final Expect NOT_FOUND = Expect.refused(Status.Code.NOT_FOUND);
    private static final Expect DENIED = Expect.refused(Status.Code.PERMISSION_DENIED);

    static Stream<Row> rows() {
        return Stream.of(
                // Registry: reads see B's records only once granted; writes never touch them.
                new Row(RegistryGrpc.getRegisterModelMethod(), w -> stories("a-derived-" + UUID.randomUUID())
                        .setParentModelId(w.modelB()).build(), NOT_FOUND, Expect.showing(World::modelB)),
                new Row(RegistryGrpc.getGetModelMethod(), w -> GetModelRequest.newBuilder().setId(w.modelB()).build(),
                        NOT_FOUND, Expect.showing(World::modelB)),
                new Row(RegistryGrpc.getListModelsMethod(), w -> ListModelsRequest.getDefaultInstance(),
                        Expect.ok(), Expect.showing(World::modelB)),
                // The same content as B's corpus registers A's own corpus, never B's.
                new Row(RegistryGrpc.getRegisterCorpusMethod(), w -> shakespeare("a-corpus-" + UUID.randomUUID()),
                        Expect.ok(), Expect.ok()),
                new Row(RegistryGrpc.getGetCorpusMethod(), w -> GetCorpusRequest.newBuilder().setId(w.corpusB()).build(),
                        NOT_FOUND, Expect.showing(World::corpusB)),
                new Row(RegistryGrpc.getListCorporaMethod(), w -> ListCorporaRequest.getDefaultInstance(),
                        Expect.ok(), Expect.showing(World::corpusB)),
                new Row(RegistryGrpc.getRegisterCalibrationSetMethod(), w -> calibrationSet(w.modelB(), w.corpusB(), randomHex()),
                        NOT_FOUND, Expect.showing(World::modelB)),
                new Row(RegistryGrpc.getGetCalibrationSetMethod(), w -> GetCalibrationSetRequest.newBuilder().setId(w.fingerprintB()).build(),
                        NOT_FOUND, Expect.showing(World::setB)),
                new Row(RegistryGrpc.getListCalibrationSetsMethod(), w -> ListCalibrationSetsRequest.getDefaultInstance(),
                        Expect.ok(), Expect.showing(World::setB)),
                new Row(RegistryGrpc.getRecordScoresMethod(), w -> RecordScoresRequest.newBuilder().addScores(Score.newBuilder()
                        .setModelId(w.modelB()).setTask("copa").setMetric("acc").setValue(0.5)).build(),
                        NOT_FOUND, Expect.showing(World::modelB)),
                new Row(RegistryGrpc.getQueryScoresMethod(), w -> QueryScoresRequest.newBuilder().setModelId(w.modelB()).build(),
                        Expect.ok(), Expect.showing(World::scoreB)),
                new Row(RegistryGrpc.getUpdateModelMethod(), w -> UpdateModelRequest.newBuilder().setId(w.modelB())
                        .setDescription("taken over").setUpdateDescription(true).build(), NOT_FOUND, DENIED),
                new Row(RegistryGrpc.getDeleteModelMethod(), w -> DeleteModelRequest.newBuilder().setId(w.modelB()).build(),
                        NOT_FOUND, DENIED),
                // Jobs: A's own worker (a member key) claims and reports only on A's jobs.
                new Row(JobsGrpc.getSubmitJobMethod(), w -> SubmitJobRequest.newBuilder().setSpec(evaluate(w.modelB())).build(),
                        NOT_FOUND, Expect.showing(World::modelB)),
                new Row(JobsGrpc.getGetJobMethod(), w -> GetJobRequest.newBuilder().setId(w.jobB()).build(),
                        NOT_FOUND, Expect.showing(World::jobB)),
                new Row(JobsGrpc.getListJobsMethod(), w -> ListJobsRequest.getDefaultInstance(),
                        Expect.ok(), Expect.showing(World::jobB)),
                new Row(JobsGrpc.getCancelJobMethod(), w -> CancelJobRequest.newBuilder().setId(w.jobB()).build(), NOT_FOUND, DENIED),
                new Row(JobsGrpc.getWatchJobMethod(), w -> WatchJobRequest.newBuilder().setId(w.jobB()).build(),
                        NOT_FOUND, Expect.showing(World::jobB)),
                new Row(JobsGrpc.getClaimJobMethod(), w -> ClaimJobRequest.newBuilder().setWorkerId("worker-a")
                        .addTypes(JobType.JOB_TYPE_EVALUATE).addTypes(JobType.JOB_TYPE_COMPRESS).addTypes(JobType.JOB_TYPE_CALIBRATE)
                        .build(), Expect.ok(), Expect.ok()),
                new Row(JobsGrpc.getHeartbeatMethod(), w -> HeartbeatRequest.newBuilder().setAttempt(1).setJobId(w.runningJobB())
                        .setWorkerId("worker-b").build(), NOT_FOUND, DENIED),
                new Row(JobsGrpc.getCompleteJobMethod(), w -> CompleteJobRequest.newBuilder().setAttempt(1).setJobId(w.runningJobB())
                        .setWorkerId("worker-b").build(), NOT_FOUND, DENIED),
                new Row(JobsGrpc.getFailJobMethod(), w -> FailJobRequest.newBuilder().setAttempt(1).setJobId(w.runningJobB())
                        .setWorkerId("worker-b").setError("sabotage").build(), NOT_FOUND, DENIED),
                // Studies: a study naming B's model is refused like one naming a model that does not exist.
                new Row(StudiesGrpc.getCreateStudyMethod(), w -> study(w.modelB()),
                        Expect.refused(Status.Code.INVALID_ARGUMENT), Expect.showing(World::modelB)),
                new Row(StudiesGrpc.getGetStudyMethod(), w -> GetStudyRequest.newBuilder().setId(w.studyB()).build(),
                        NOT_FOUND, Expect.showing(World::studyB)),
                new Row(StudiesGrpc.getWatchStudyMethod(), w -> WatchStudyRequest.newBuilder().setId(w.studyB()).build(),
                        NOT_FOUND, Expect.showing(World::studyB)),
                new Row(StudiesGrpc.getGetStudyReportMethod(), w -> GetStudyReportRequest.newBuilder().setId(w.studyB()).build(),
                        NOT_FOUND, Expect.showing(World::studyB)),
                new Row(StudiesGrpc.getListStudiesMethod(), w -> ListStudiesRequest.getDefaultInstance(),
                        Expect.ok(), Expect.showing(World::studyB)),
                new Row(StudiesGrpc.getCancelStudyMethod(), w -> CancelStudyRequest.newBuilder().setId(w.studyB()).build(),
                        NOT_FOUND, DENIED),
                // Admin: admin-only RPCs refuse member keys; key and grant management stays within A.
                new Row(AdminGrpc.getWhoAmIMethod(), w -> WhoAmIRequest.getDefaultInstance(), Expect.ok(), Expect.ok()),
                new Row(AdminGrpc.getCreateTeamMethod(), w -> CreateTeamRequest.newBuilder().setName("not-by-a").build(), DENIED, DENIED),
                new Row(AdminGrpc.getListTeamsMethod(), w -> ListTeamsRequest.getDefaultInstance(), DENIED, DENIED),
                new Row(AdminGrpc.getSetTeamQuotaMethod(), w -> SetTeamQuotaRequest.newBuilder().setTeam(w.teamB())
                        .setMaxRunningJobs(1).build(), DENIED, DENIED),
                new Row(AdminGrpc.getCreateApiKeyMethod(), w -> CreateApiKeyRequest.newBuilder().setTeam(w.teamB()).build(), DENIED, DENIED),
                new Row(AdminGrpc.getListApiKeysMethod(), w -> ListApiKeysRequest.newBuilder().setTeam(w.teamB()).build(), DENIED, DENIED),
                new Row(AdminGrpc.getRevokeApiKeyMethod(), w -> RevokeApiKeyRequest.newBuilder().setId(w.keyIdB()).build(),
                        NOT_FOUND, NOT_FOUND),
                new Row(AdminGrpc.getGrantReadMethod(), w -> GrantReadRequest.newBuilder().setReaderTeam(w.teamC()).build(),
                        Expect.ok(), Expect.ok()),
                new Row(AdminGrpc.getRevokeReadMethod(), w -> RevokeReadRequest.newBuilder().setReaderTeam(w.teamB()).build(),
                        NOT_FOUND, NOT_FOUND),
                new Row(AdminGrpc.getListGrantsMethod(), w -> ListGrantsRequest.getDefaultInstance(), Expect.ok(), Expect.showing(World::teamB)),
                new Row(AdminGrpc.getQueryAuditMethod(), w -> QueryAuditRequest.getDefaultInstance(), DENIED, DENIED),
                new Row(AdminGrpc.getListArtifactReferencesMethod(), w -> ListArtifactReferencesRequest.getDefaultInstance(),
                        DENIED, DENIED));
    }

    @BeforeEach
    void buildTheWorldOnce() throws IOException {
        if (world == null) {
            world = build();
        }
    }

    @Test
    @Order(1)
    void theTableCoversEveryRpcOfEveryService() {
        Set<String> every = Stream.of(RegistryGrpc.getServiceDescriptor(), JobsGrpc.getServiceDescriptor(),
                        StudiesGrpc.getServiceDescriptor(), AdminGrpc.getServiceDescriptor())
                .flatMap(service -> service.getMethods().stream()).map(MethodDescriptor::getFullMethodName)
                .collect(Collectors.toSet());
        assertEquals(every, rows().map(row -> row.method().getFullMethodName()).collect(Collectors.toSet()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    @Order(3)
    void withoutKey_everyRpcIsUnauthenticated_andMutationsAreAudited(Row row) {
        String method = row.method().getFullMethodName();
        long mark = lastAuditId();
        Outcome anonymous = call(world.anonymous(), row.method(), row.request().apply(world));
        assertEquals(Status.Code.UNAUTHENTICATED, anonymous.code(), anonymous.description());
        if (AuditedMethods.isAudited(method)) {
            assertAudited(method, mark, "", Status.Code.UNAUTHENTICATED);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    @Order(4)
    void teamA_neverReachesTeamB_andNoIdOfBIsInAnyAnswer(Row row) {
        String method = row.method().getFullMethodName();
        long mark = lastAuditId();
        Outcome before = call(world.asA(), row.method(), row.request().apply(world));
        check(row.before(), before, "without a grant");
        if (before.code() == Status.Code.OK) {
            for (String id : world.idsOfB()) {
                assertFalse(before.response().toString().contains(id), "team B's " + id + " leaked: " + before.response());
            }
        }
        boolean emptyPoll = row.method() == JobsGrpc.getClaimJobMethod() && before.code() == Status.Code.OK;
        if (AuditedMethods.isAudited(method) && !emptyPoll) {
            assertAudited(method, mark, world.keyIdA(), before.code());
        }
    }

    /** Runs after every check without the grant: A's records made here may name B's (A could read them). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    @Order(5)
    void onceBGrantsRead_teamA_readsBsRecords_butStillCannotChangeThem(Row row) {
        AdminGrpc.newBlockingStub(world.asB()).grantRead(GrantReadRequest.newBuilder().setReaderTeam(world.teamA()).build());
        check(row.afterGrant(), call(world.asA(), row.method(), row.request().apply(world)), "after B granted A read");
    }

    /** Review finding 4: a read grant let A record scores and models as outputs of B's jobs, at a time A chose. */
    @Test
    @Order(5)
    void grantedTeam_cannotRecordScoresOrModelsAsTheOwnersJobs_norChooseTheirTime() {
        AdminGrpc.newBlockingStub(world.asB()).grantRead(GrantReadRequest.newBuilder().setReaderTeam(world.teamA()).build());
        RegistryGrpc.RegistryBlockingStub asA = RegistryGrpc.newBlockingStub(world.asA());
        Score injected = Score.newBuilder().setModelId(world.modelB()).setTask("copa").setMetric("acc").setValue(0.987)
                .setProducingJobId(world.jobB()).build();
        String unclaimed = refusal(() -> asA.recordScores(RecordScoresRequest.newBuilder().addScores(injected).build()),
                Status.Code.INVALID_ARGUMENT);
        assertTrue(unclaimed.startsWith("scores[0].producing_job_id needs producing_worker_id"), unclaimed);
        String claimed = refusal(() -> asA.recordScores(RecordScoresRequest.newBuilder().addScores(injected)
                .setProducingWorkerId("any-worker").setProducingAttempt(1).build()), Status.Code.NOT_FOUND);
        assertTrue(claimed.contains("is not a job of team"), claimed);
        Score future = injected.toBuilder().clearProducingJobId()
                .setEvaluatedAt(com.google.protobuf.Timestamp.newBuilder().setSeconds(4_000_000_000L)).build();
        String stamped = refusal(() -> asA.recordScores(RecordScoresRequest.newBuilder().addScores(future).build()),
                Status.Code.INVALID_ARGUMENT);
        assertTrue(stamped.contains("evaluated_at is stamped by the registry"), stamped);
        String model = refusal(() -> asA.registerModel(stories("a-injected-" + UUID.randomUUID()).setProducingJobId(world.jobB())
                .build()), Status.Code.INVALID_ARGUMENT);
        assertTrue(model.startsWith("producing_job_id needs producing_worker_id"), model);
        assertEquals(0L, QuarkusTransaction.requiringNew().call(() -> ((Number) entityManager.createNativeQuery(
                "SELECT count(*) FROM score WHERE value = 0.987").getSingleResult()).longValue()), "nothing was recorded");
    }

    /**
     * Review finding 2: knowing B's artifact_uri in the store, A registered B's folder as its own model or set.
     * A store path registers only for the team whose folder (teams/&lt;team&gt;/) holds it.
     */
    @Test
    @Order(5)
    void aStorePathInAnotherTeamsFolder_isNotRegisteredAsOurs_evenWithAReadGrant() throws IOException {
        AdminGrpc.newBlockingStub(world.asB()).grantRead(GrantReadRequest.newBuilder().setReaderTeam(world.teamA()).build());
        Path store = Path.of(storeRoot);
        Path ofB = copyModel(store.resolve(StoreLayout.model(world.teamB(), "job-" + UUID.randomUUID())));
        Path ofA = copyModel(store.resolve(StoreLayout.model(world.teamA(), "job-" + UUID.randomUUID())));
        Path flat = copyModel(store.resolve("models/flat-" + UUID.randomUUID()));
        RegistryGrpc.RegistryBlockingStub asA = RegistryGrpc.newBlockingStub(world.asA());
        for (Path foreign : List.of(ofB, flat)) {
            String refused = refusal(() -> asA.registerModel(stories("a-took-" + UUID.randomUUID())
                    .setArtifactUri(foreign.toUri().toString()).build()), Status.Code.PERMISSION_DENIED);
            assertTrue(refused.contains("outside team " + world.teamA() + "'s folder"), refused);
        }
        Path setOfB = Files.createDirectories(store.resolve(StoreLayout.calibration(world.teamB(), randomHex().substring(0, 16))))
                .resolve("set.safetensors");
        Files.writeString(setOfB, "B's tokens");
        RegisterCalibrationSetRequest takeSet = calibrationSet(world.modelB(), world.corpusB(), randomHex());
        String refusedSet = refusal(() -> asA.registerCalibrationSet(takeSet.toBuilder().setCalibrationSet(
                takeSet.getCalibrationSet().toBuilder().setArtifactUri(setOfB.toString())).build()), Status.Code.PERMISSION_DENIED);
        assertTrue(refusedSet.startsWith("calibration_set.artifact_uri"), refusedSet);
        // a link in A's folder pointing into B's is judged by where it leads
        Path link = Files.createSymbolicLink(store.resolve(StoreLayout.model(world.teamA(), "link-" + UUID.randomUUID())), ofB);
        refusal(() -> asA.registerModel(stories("a-link-" + UUID.randomUUID()).setArtifactUri(link.toString()).build()),
                Status.Code.PERMISSION_DENIED);
        // B registers its own; A registers what lies in its own folder
        RegistryGrpc.newBlockingStub(world.asB()).registerModel(stories("b-own-" + UUID.randomUUID())
                .setArtifactUri(ofB.toString()).build());
        asA.registerModel(stories("a-own-" + UUID.randomUUID()).setArtifactUri(ofA.toString()).build());
    }

    private static Path copyModel(Path target) throws IOException {
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(Assets.stories260K())) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, target.resolve(file.getFileName()));
            }
        }
        return target;
    }

    /** Review finding 3: a team granting read registered a model named like B's, and A's lookups by name found it. */
    @Test
    @Order(5)
    void aGrantingTeam_cannotShadowANameTheReaderUses_namesResolveInTheOwnTeamOrQualified() {
        AdminGrpc.newBlockingStub(world.asB()).grantRead(GrantReadRequest.newBuilder().setReaderTeam(world.teamA()).build());
        RegistryGrpc.RegistryBlockingStub asA = RegistryGrpc.newBlockingStub(world.asA());
        String nameOfB = asA.getModel(GetModelRequest.newBuilder().setId(world.modelB()).build()).getName();
        String teamD = "team-d-" + UUID.randomUUID().toString().substring(0, 8);
        ManagedChannel asD = KeyedChannels.withKey(admin.createTeam(CreateTeamRequest.newBuilder().setName(teamD).build()).getSecret());
        try {
            AdminGrpc.newBlockingStub(asD).grantRead(GrantReadRequest.newBuilder().setReaderTeam(world.teamA()).build());
            String shadow = RegistryGrpc.newBlockingStub(asD).registerModel(stories(nameOfB).build()).getId();
            refusal(() -> asA.getModel(GetModelRequest.newBuilder().setId(nameOfB).build()), Status.Code.NOT_FOUND);
            assertEquals(world.modelB(), asA.getModel(GetModelRequest.newBuilder().setId(world.teamB() + "/" + nameOfB).build()).getId());
            assertEquals(shadow, asA.getModel(GetModelRequest.newBuilder().setId(teamD + "/" + nameOfB).build()).getId());
            assertEquals(shadow, asA.getModel(GetModelRequest.newBuilder().setId(shadow).build()).getId(), "ids resolve exactly");
            String own = asA.registerModel(stories(nameOfB).build()).getId();
            assertEquals(own, asA.getModel(GetModelRequest.newBuilder().setId(nameOfB).build()).getId());
        } finally {
            asD.shutdownNow();
        }
    }

    @Test
    @Order(6)
    void revokingTheGrant_hidesBsRecordsAgainAtOnce() {
        RegistryGrpc.RegistryBlockingStub asA = RegistryGrpc.newBlockingStub(world.asA());
        AdminGrpc.newBlockingStub(world.asB()).grantRead(GrantReadRequest.newBuilder().setReaderTeam(world.teamA()).build());
        assertEquals(world.modelB(), asA.getModel(GetModelRequest.newBuilder().setId(world.modelB()).build()).getId());
        var grants = AdminGrpc.newBlockingStub(world.asA()).listGrants(ListGrantsRequest.getDefaultInstance());
        assertTrue(grants.getReceivedList().stream().anyMatch(g -> g.getOwnerTeam().equals(world.teamB())), grants.toString());
        AdminGrpc.newBlockingStub(world.asB()).revokeRead(RevokeReadRequest.newBuilder().setReaderTeam(world.teamA()).build());
        refusal(() -> asA.getModel(GetModelRequest.newBuilder().setId(world.modelB()).build()), Status.Code.NOT_FOUND);
        refusal(() -> AdminGrpc.newBlockingStub(world.asB()).revokeRead(RevokeReadRequest.newBuilder()
                .setReaderTeam(world.teamA()).build()), Status.Code.NOT_FOUND);
    }

    @Test
    @Order(2)
    void identityOfTheKey_reachesTheBlockingServiceMethods() {
        Identity identity = AdminGrpc.newBlockingStub(world.asA()).whoAmI(WhoAmIRequest.getDefaultInstance());
        assertEquals(world.teamA(), identity.getTeam());
        assertEquals("member", identity.getRole());
        assertEquals(world.keyIdA(), identity.getKeyId());
        assertEquals(world.teamA(), RegistryGrpc.newBlockingStub(world.asA())
                .registerModel(stories("a-own-" + UUID.randomUUID()).build()).getTeam());
        Identity bootstrap = admin.whoAmI(WhoAmIRequest.getDefaultInstance());
        assertEquals("default", bootstrap.getTeam());
        assertEquals("admin", bootstrap.getRole());
    }

    @Test
    @Order(2)
    void missingUnknownRevokedAndExpiredKeys_areRefusedSayingWhich() throws Exception {
        AdminGrpc.AdminBlockingStub anonymous = AdminGrpc.newBlockingStub(world.anonymous());
        assertEquals("missing metadata 'authorization: Bearer <key>' (set CALIBRA_API_KEY)",
                refusal(() -> anonymous.whoAmI(WhoAmIRequest.getDefaultInstance()), Status.Code.UNAUTHENTICATED));

        String unknown = ApiKeys.newSecret();
        assertEquals("the API key is not known to this registry (check CALIBRA_API_KEY)",
                refusal(() -> whoAmI(unknown), Status.Code.UNAUTHENTICATED));

        AdminGrpc.AdminBlockingStub asA = AdminGrpc.newBlockingStub(world.asA());
        var revocable = asA.createApiKey(CreateApiKeyRequest.newBuilder().setName("to-revoke").build());
        assertEquals(world.teamA(), whoAmI(revocable.getSecret()).getTeam());
        var revoked = asA.revokeApiKey(RevokeApiKeyRequest.newBuilder().setId(revocable.getApiKey().getId()).build());
        assertTrue(revoked.hasRevokedAt());
        String why = refusal(() -> whoAmI(revocable.getSecret()), Status.Code.UNAUTHENTICATED);
        assertTrue(why.startsWith("the API key " + revocable.getApiKey().getId() + " was revoked at "), why);

        var shortLived = asA.createApiKey(CreateApiKeyRequest.newBuilder().setName("short").setTtlSeconds(1).build());
        assertEquals(world.teamA(), whoAmI(shortLived.getSecret()).getTeam());
        Thread.sleep(1200);
        String expired = refusal(() -> whoAmI(shortLived.getSecret()), Status.Code.UNAUTHENTICATED);
        assertTrue(expired.startsWith("the API key " + shortLived.getApiKey().getId() + " expired at "), expired);
    }

    @Test
    @Order(2)
    void serviceKey_actsForTheTeamItNames_otherKeysIgnoreTheName() throws Exception {
        ManagedChannel service = KeyedChannels.withKey(serviceKey);
        try {
            AdminGrpc.AdminBlockingStub stub = AdminGrpc.newBlockingStub(service);
            assertEquals("default", stub.whoAmI(WhoAmIRequest.getDefaultInstance()).getTeam());
            Identity actingForA = CallerCredentials.actingFor(world.teamA()).call(() -> stub.whoAmI(WhoAmIRequest.getDefaultInstance()));
            assertEquals(world.teamA(), actingForA.getTeam());
            assertEquals("service", actingForA.getRole());
            String unknownTeam = refusal(() -> CallerCredentials.actingFor("no-such-team")
                    .call(() -> stub.whoAmI(WhoAmIRequest.getDefaultInstance())), Status.Code.NOT_FOUND);
            assertEquals("team 'no-such-team' named by metadata calibra-team does not exist", unknownTeam);
            // A service key acting for A reads A's records only: B's stay invisible.
            refusal(() -> CallerCredentials.actingFor(world.teamA()).call(() -> RegistryGrpc.newBlockingStub(service)
                    .getModel(GetModelRequest.newBuilder().setId(world.modelB()).build())), Status.Code.NOT_FOUND);
            // Keys and grants are not a service key's business.
            refusal(() -> CallerCredentials.actingFor(world.teamB()).call(() -> stub.grantRead(
                    GrantReadRequest.newBuilder().setReaderTeam(world.teamA()).build())), Status.Code.PERMISSION_DENIED);
        } finally {
            service.shutdownNow();
        }
        // A member key naming another team still acts for its own.
        ManagedChannel member = KeyedChannels.withKey(world.keyA());
        try {
            Identity own = CallerCredentials.actingFor(world.teamB()).call(() ->
                    AdminGrpc.newBlockingStub(member).whoAmI(WhoAmIRequest.getDefaultInstance()));
            assertEquals(world.teamA(), own.getTeam());
        } finally {
            member.shutdownNow();
        }
    }

    @Test
    @Order(2)
    void memberKeys_manageTheirOwnTeamsMemberKeys_withoutSeeingSecrets() {
        AdminGrpc.AdminBlockingStub asA = AdminGrpc.newBlockingStub(world.asA());
        var issued = asA.createApiKey(CreateApiKeyRequest.newBuilder().setName("ci-pipeline").build());
        assertEquals("member", issued.getApiKey().getRole());
        assertEquals(world.teamA(), issued.getApiKey().getTeam());
        assertTrue(issued.getSecret().startsWith("cal_") && issued.getSecret().length() == 47, issued.getSecret());
        assertEquals(ApiKeys.prefix(issued.getSecret()), issued.getApiKey().getPrefix());
        refusal(() -> asA.createApiKey(CreateApiKeyRequest.newBuilder().setRole("admin").build()), Status.Code.PERMISSION_DENIED);

        var listed = asA.listApiKeys(ListApiKeysRequest.getDefaultInstance());
        assertTrue(listed.getApiKeysList().stream().anyMatch(key -> key.getId().equals(issued.getApiKey().getId())));
        assertTrue(listed.getApiKeysList().stream().allMatch(key -> key.getTeam().equals(world.teamA())));
        assertFalse(listed.toString().contains(issued.getSecret()), "listings never carry secrets");
        long stored = QuarkusTransaction.requiringNew().call(() -> ((Number) entityManager.createNativeQuery(
                "SELECT count(*) FROM api_key WHERE key_sha256 = :hash").setParameter("hash", ApiKeys.sha256(issued.getSecret()))
                .getSingleResult()).longValue());
        assertEquals(1, stored, "only the hash is stored");
        assertEquals(0L, QuarkusTransaction.requiringNew().call(() -> ((Number) entityManager.createNativeQuery(
                "SELECT count(*) FROM api_key k, audit_log a WHERE position(:secret in k::text) > 0 OR position(:secret in a::text) > 0")
                .setParameter("secret", issued.getSecret()).getSingleResult()).longValue()), "the secret is nowhere in the database");
    }

    @Test
    @Order(2)
    void admin_createsTeamsOnce_withValidNames_andSeesEveryArtifact() {
        String name = "t-" + UUID.randomUUID().toString().substring(0, 8);
        CreateTeamResponse created = admin.createTeam(CreateTeamRequest.newBuilder().setName(name).setMaxRunningJobs(3)
                .setKeyTtlSeconds(3600).build());
        assertEquals(name, created.getTeam().getName());
        assertEquals(3, created.getTeam().getMaxRunningJobs());
        assertEquals("member", created.getApiKey().getRole());
        assertTrue(created.getApiKey().hasExpiresAt());
        assertEquals(name, whoAmI(created.getSecret()).getTeam());
        refusal(() -> admin.createTeam(CreateTeamRequest.newBuilder().setName(name).build()), Status.Code.ALREADY_EXISTS);
        String bad = refusal(() -> admin.createTeam(CreateTeamRequest.newBuilder().setName("Bad_Name").build()),
                Status.Code.INVALID_ARGUMENT);
        assertTrue(bad.startsWith("name 'Bad_Name' is not a team name"), bad);
        assertTrue(admin.listTeams(ListTeamsRequest.getDefaultInstance()).getTeamsList().stream()
                .anyMatch(team -> team.getName().equals(name)));
        assertEquals(0, admin.setTeamQuota(SetTeamQuotaRequest.newBuilder().setTeam(name).build()).getMaxRunningJobs());

        List<String> uris = admin.listArtifactReferences(ListArtifactReferencesRequest.getDefaultInstance()).getUrisList();
        String modelUri = RegistryGrpc.newBlockingStub(world.asB()).getModel(GetModelRequest.newBuilder().setId(world.modelB()).build())
                .getArtifactUri();
        String setUri = RegistryGrpc.newBlockingStub(world.asB()).getCalibrationSet(GetCalibrationSetRequest.newBuilder()
                .setId(world.setB()).build()).getArtifactUri();
        assertTrue(uris.contains(modelUri), "every team's models: " + uris);
        assertTrue(uris.contains(setUri), "every team's calibration sets: " + uris);
    }

    @Test
    @Order(2)
    void bootstrapKeys_areAddedOnce_byTheHashOfTheConfiguredSecret() {
        ApiKeyEntity again = keys.ensure("team-default", "admin", "bootstrap-admin", adminKey);
        assertEquals(admin.whoAmI(WhoAmIRequest.getDefaultInstance()).getKeyId(), again.id);
        assertEquals(1L, QuarkusTransaction.requiringNew().call(() -> ((Number) entityManager.createNativeQuery(
                "SELECT count(*) FROM api_key WHERE name = 'bootstrap-admin'").getSingleResult()).longValue()));
        ManagedChannel service = KeyedChannels.withKey(serviceKey);
        try {
            assertEquals("service", AdminGrpc.newBlockingStub(service).whoAmI(WhoAmIRequest.getDefaultInstance()).getRole());
        } finally {
            service.shutdownNow();
        }
    }

    @Test
    @Order(2)
    void memberKey_cannotRevokeItsTeamsAdminOrServiceKeys_andARevokedConfiguredSecretStaysRevoked() {
        var member = admin.createApiKey(CreateApiKeyRequest.newBuilder().setTeam("default").setName("default-member").build());
        assertEquals("member", member.getApiKey().getRole());
        ManagedChannel asMember = KeyedChannels.withKey(member.getSecret());
        try {
            AdminGrpc.AdminBlockingStub stub = AdminGrpc.newBlockingStub(asMember);
            String bootstrapAdmin = admin.whoAmI(WhoAmIRequest.getDefaultInstance()).getKeyId();
            String why = refusal(() -> stub.revokeApiKey(RevokeApiKeyRequest.newBuilder().setId(bootstrapAdmin).build()),
                    Status.Code.PERMISSION_DENIED);
            assertTrue(why.contains("has role admin"), why);
            ManagedChannel service = KeyedChannels.withKey(serviceKey);
            try {
                String serviceId = AdminGrpc.newBlockingStub(service).whoAmI(WhoAmIRequest.getDefaultInstance()).getKeyId();
                refusal(() -> stub.revokeApiKey(RevokeApiKeyRequest.newBuilder().setId(serviceId).build()), Status.Code.PERMISSION_DENIED);
                assertEquals("service", AdminGrpc.newBlockingStub(service).whoAmI(WhoAmIRequest.getDefaultInstance()).getRole(),
                        "the service key still works");
            } finally {
                service.shutdownNow();
            }
            assertEquals("admin", admin.whoAmI(WhoAmIRequest.getDefaultInstance()).getRole(), "the admin key still works");
        } finally {
            asMember.shutdownNow();
        }

        String configured = ApiKeys.newSecret();
        ApiKeyEntity first = keys.ensure("team-default", "service", "configured-service", configured);
        admin.revokeApiKey(RevokeApiKeyRequest.newBuilder().setId(first.id).build());
        ApiKeyEntity again = keys.ensure("team-default", "service", "configured-service", configured);
        assertEquals(first.id, again.id);
        assertTrue(again.revokedAt != null, "a restart does not bring a revoked configured key back");
        refusal(() -> whoAmI(configured), Status.Code.UNAUTHENTICATED);
    }

    // ---- the world and the calls ----

    private World build() throws IOException {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        CreateTeamResponse a = admin.createTeam(CreateTeamRequest.newBuilder().setName("team-a-" + suffix).build());
        CreateTeamResponse b = admin.createTeam(CreateTeamRequest.newBuilder().setName("team-b-" + suffix).build());
        CreateTeamResponse c = admin.createTeam(CreateTeamRequest.newBuilder().setName("team-c-" + suffix).build());
        ManagedChannel asB = KeyedChannels.withKey(b.getSecret());
        RegistryGrpc.RegistryBlockingStub registry = RegistryGrpc.newBlockingStub(asB);
        String model = registry.registerModel(stories("b-model").build()).getId();
        String corpus = registry.registerCorpus(shakespeare("b-corpus")).getId();
        String fingerprint = randomHex();
        String set = registry.registerCalibrationSet(calibrationSet(model, corpus, fingerprint)).getId();
        String score = registry.recordScores(RecordScoresRequest.newBuilder().addScores(Score.newBuilder().setModelId(model)
                .setTask("copa").setMetric("acc").setValue(0.61)).build()).getScores(0).getId();
        JobsGrpc.JobsBlockingStub jobs = JobsGrpc.newBlockingStub(asB);
        String running = jobs.submitJob(SubmitJobRequest.newBuilder().setSpec(evaluate(model)).build()).getId();
        // B's own worker (a member key) claims only B's jobs: this one.
        assertEquals(running, jobs.claimJob(ClaimJobRequest.newBuilder().setWorkerId("worker-b")
                .addTypes(JobType.JOB_TYPE_EVALUATE).setLeaseSeconds(3600).build()).getJob().getId());
        String pending = jobs.submitJob(SubmitJobRequest.newBuilder().setSpec(evaluate(model)).build()).getId();
        String study = StudiesGrpc.newBlockingStub(asB).createStudy(study(model)).getId();
        return new World(a.getTeam().getName(), a.getSecret(), a.getApiKey().getId(), b.getTeam().getName(), b.getSecret(),
                b.getApiKey().getId(), c.getTeam().getName(), model, corpus, set, fingerprint, score, pending, running, study,
                KeyedChannels.withKey(a.getSecret()), asB, KeyedChannels.withoutKey());
    }

    private record Outcome(Status.Code code, Message response, String description) {}

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Outcome call(Channel channel, MethodDescriptor<?, ?> method, Message request) {
        MethodDescriptor<Message, Message> typed = (MethodDescriptor) method;
        CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS);
        try {
            if (method.getType() == MethodDescriptor.MethodType.SERVER_STREAMING) {
                // The first event is the answer; the watch is then cancelled.
                Context.CancellableContext watch = Context.current().withCancellation();
                try {
                    Message first = watch.call(() -> ClientCalls.blockingServerStreamingCall(channel, typed, options, request).next());
                    return new Outcome(Status.Code.OK, first, "");
                } finally {
                    watch.cancel(null);
                }
            }
            return new Outcome(Status.Code.OK, ClientCalls.blockingUnaryCall(channel, typed, options, request), "");
        } catch (StatusRuntimeException refused) {
            return new Outcome(refused.getStatus().getCode(), null, refused.getStatus().getDescription());
        } catch (Exception e) {
            throw new AssertionError(method.getFullMethodName() + " failed outside gRPC", e);
        }
    }

    private static void check(Expect expected, Outcome outcome, String when) {
        assertEquals(expected.code(), outcome.code(), when + ": " + outcome.description());
        if (expected.shows() != null) {
            String id = expected.shows().apply(world);
            assertTrue(outcome.response().toString().contains(id), when + ": the answer should show " + id + ": " + outcome.response());
        }
    }

    private long lastAuditId() {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) entityManager.createNativeQuery(
                "SELECT COALESCE(max(id), 0) FROM audit_log").getSingleResult()).longValue());
    }

    /** The call's audit row is written before its answer leaves, so it is there already. */
    private void assertAudited(String method, long after, String keyId, Status.Code outcome) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = QuarkusTransaction.requiringNew().call(() -> entityManager.createNativeQuery(
                "SELECT key_id, outcome FROM audit_log WHERE method = :method AND id > :after ORDER BY id")
                .setParameter("method", method).setParameter("after", after).getResultList());
        assertEquals(1, rows.size(), "one audit row for " + method);
        assertEquals(keyId, rows.get(0)[0]);
        assertEquals(outcome.name(), rows.get(0)[1]);
    }

    private static String refusal(ThrowingCall call, Status.Code code) {
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, call::run);
        assertEquals(code, refused.getStatus().getCode(), refused.getStatus().getDescription());
        assertNotNull(refused.getStatus().getDescription());
        return refused.getStatus().getDescription();
    }

    @FunctionalInterface
    private interface ThrowingCall {
        void run() throws Exception;
    }

    private static Identity whoAmI(String secret) {
        ManagedChannel channel = KeyedChannels.withKey(secret);
        try {
            return AdminGrpc.newBlockingStub(channel).whoAmI(WhoAmIRequest.getDefaultInstance());
        } finally {
            channel.shutdownNow();
        }
    }

    static RegisterModelRequest.Builder stories(String name) {
        return RegisterModelRequest.newBuilder().setName(name).setArtifactUri(Assets.stories260K().toString())
                .setArchitecture("LlamaForCausalLM").setParameterCount(260_000);
    }

    static RegisterCorpusRequest shakespeare(String name) {
        Path file = Assets.corpus("tiny_shakespeare.txt");
        try {
            return RegisterCorpusRequest.newBuilder().setName(name).setSourceUri(file.toString()).setSha256(ContentHash.ofFile(file))
                    .setDocumentCount(7000).setDocumentRule("blank-lines").build();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static RegisterCalibrationSetRequest calibrationSet(String model, String corpus, String fingerprint) {
        try {
            Path artifact = Files.createTempFile("calibration-", ".safetensors");
            Files.writeString(artifact, fingerprint);
            artifact.toFile().deleteOnExit();
            return RegisterCalibrationSetRequest.newBuilder().setCalibrationSet(CalibrationSet.newBuilder()
                    .setFingerprint(fingerprint)
                    .setSpec(CalibrationSpec.newBuilder().setStrategy("random_window").setNSamples(1).setSeqLen(8).setModelId(model)
                            .addCorpora(WeightedCorpus.newBuilder().setCorpusId(corpus).setWeight(1)))
                    .setSamplerVersion("test").setTokenizerSha256("0".repeat(64)).setArtifactUri(artifact.toString())).build();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static JobSpec evaluate(String model) {
        return JobSpec.newBuilder().setEvaluate(EvaluateRequest.newBuilder().setModelId(model).addTasks("copa")).build();
    }

    static CreateStudyRequest study(String model) {
        return CreateStudyRequest.newBuilder().setSpecYaml("""
                name: access-test
                models: [%s]
                include_dense: true
                evaluation:
                  tasks: [copa]
                  limit: 5
                """.formatted(model)).build();
    }

    static String randomHex() {
        byte[] bytes = new byte[32];
        new java.security.SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
