package dev.calibra.registry.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.calibra.artifacts.ContentHash;
import dev.calibra.proto.v1.GetModelRequest;
import dev.calibra.proto.v1.ListModelsRequest;
import dev.calibra.proto.v1.ListModelsResponse;
import dev.calibra.proto.v1.Model;
import dev.calibra.proto.v1.ModelOrigin;
import dev.calibra.proto.v1.QueryScoresRequest;
import dev.calibra.proto.v1.RecordScoresRequest;
import dev.calibra.proto.v1.RegisterCorpusRequest;
import dev.calibra.proto.v1.RegisterModelRequest;
import dev.calibra.proto.v1.RegistryGrpc;
import dev.calibra.proto.v1.Score;
import dev.calibra.registry.Assets;
import dev.calibra.registry.TestDatabase;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(TestDatabase.class)
class RegistryGrpcServiceTest {

    @GrpcClient("registry")
    RegistryGrpc.RegistryBlockingStub registry;

    @Inject EntityManager entityManager;

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static RegisterModelRequest.Builder stories(String name) {
        return RegisterModelRequest.newBuilder()
                .setName(name)
                .setArtifactUri(Assets.stories260K().toString())
                .setArchitecture("LlamaForCausalLM")
                .setParameterCount(260_000)
                .setDtype("float32");
    }

    @Test
    void registerModel_realFolder_recordsContentHashAndIsReadableById() throws IOException {
        Model model = registry.registerModel(stories(unique("stories")).build());
        assertTrue(model.getId().startsWith("mdl-"), model.getId());
        assertEquals(ContentHash.ofFolder(Assets.stories260K()), model.getSha256());
        assertEquals(model, registry.getModel(GetModelRequest.newBuilder().setId(model.getId()).build()));
        assertEquals(model, registry.getModel(GetModelRequest.newBuilder().setId(model.getName()).build()));
        assertEquals("default", model.getTeam());
    }

    @Test
    void registerModel_sameContentTwice_returnsTheExistingModel() {
        String name = unique("twice");
        Model first = registry.registerModel(stories(name).build());
        Model second = registry.registerModel(stories(name).build());
        assertEquals(first.getId(), second.getId());
    }

    @Test
    void registerModel_otherContentUnderTakenName_isAlreadyExists(@org.junit.jupiter.api.io.TempDir Path folder) throws IOException {
        String name = unique("taken");
        registry.registerModel(stories(name).build());
        Files.writeString(folder.resolve("config.json"), "{\"architectures\": [\"LlamaForCausalLM\"]}");
        StatusRuntimeException error = assertThrows(StatusRuntimeException.class,
                () -> registry.registerModel(stories(name).setArtifactUri(folder.toUri().toString()).build()));
        assertEquals(Status.Code.ALREADY_EXISTS, error.getStatus().getCode());
        assertTrue(error.getStatus().getDescription().contains("'" + name + "'"), error.getStatus().getDescription());
    }

    @Test
    void registerModel_missingFields_isInvalidArgumentNamingTheField() {
        long before = modelCount();
        StatusRuntimeException noName = assertThrows(StatusRuntimeException.class,
                () -> registry.registerModel(stories("").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, noName.getStatus().getCode());
        assertEquals("name is required", noName.getStatus().getDescription());

        StatusRuntimeException noParams = assertThrows(StatusRuntimeException.class,
                () -> registry.registerModel(stories(unique("p")).setParameterCount(0).build()));
        assertEquals("parameter_count must be > 0, got 0", noParams.getStatus().getDescription());

        StatusRuntimeException missing = assertThrows(StatusRuntimeException.class,
                () -> registry.registerModel(stories(unique("m")).setArtifactUri("/no/such/folder").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, missing.getStatus().getCode());
        assertTrue(missing.getStatus().getDescription().startsWith("artifact_uri '/no/such/folder' does not exist"));

        StatusRuntimeException wrongHash = assertThrows(StatusRuntimeException.class,
                () -> registry.registerModel(stories(unique("h")).setSha256("0".repeat(64)).build()));
        assertTrue(wrongHash.getStatus().getDescription().contains("does not match the content"));
        assertEquals(before, modelCount(), "a failed request leaves no record");
    }

    @Test
    void registerModel_pulledFromAHub_keepsItsOriginInTheRecord() {
        ModelOrigin origin = ModelOrigin.newBuilder().setHubEndpoint("https://huggingface.co")
                .setRepoId("karpathy/stories260K").setRevision("main").setCommit("0123456789abcdef0123456789abcdef01234567").build();
        Model model = registry.registerModel(stories(unique("pulled")).setOrigin(origin).build());
        assertEquals(origin, model.getOrigin());
        assertEquals(origin, registry.getModel(GetModelRequest.newBuilder().setId(model.getId()).build()).getOrigin());
        assertFalse(registry.registerModel(stories(unique("local")).build()).hasOrigin(), "a local folder has no origin");
    }

    @Test
    void registerModel_incompleteOrigin_isInvalidArgumentNamingTheField() {
        long before = modelCount();
        ModelOrigin shortCommit = ModelOrigin.newBuilder().setHubEndpoint("https://huggingface.co").setRepoId("a/b")
                .setRevision("main").setCommit("abc123").build();
        StatusRuntimeException badCommit = assertThrows(StatusRuntimeException.class,
                () -> registry.registerModel(stories(unique("o")).setOrigin(shortCommit).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, badCommit.getStatus().getCode());
        assertTrue(badCommit.getStatus().getDescription().startsWith("origin.commit"), badCommit.getStatus().getDescription());
        StatusRuntimeException noRepo = assertThrows(StatusRuntimeException.class,
                () -> registry.registerModel(stories(unique("o")).setOrigin(shortCommit.toBuilder().setRepoId("")).build()));
        assertEquals("origin.repo_id is required", noRepo.getStatus().getDescription());
        assertEquals(before, modelCount(), "a refused origin leaves no record");
    }

    @Test
    void getModel_unknownId_returnsNotFound() {
        StatusRuntimeException error = assertThrows(StatusRuntimeException.class,
                () -> registry.getModel(GetModelRequest.newBuilder().setId("mdl-nope").build()));
        assertEquals(Status.Code.NOT_FOUND, error.getStatus().getCode());
        assertEquals("model mdl-nope is not registered", error.getStatus().getDescription());
    }

    @Test
    void listModels_pagesThroughEveryModelOnce(@org.junit.jupiter.api.io.TempDir Path root) throws IOException {
        for (int i = 0; i < 5; i++) {
            Path folder = Files.createDirectories(root.resolve("m" + i));
            Files.writeString(folder.resolve("config.json"), "{\"n\": " + i + "}");
            registry.registerModel(stories(unique("page")).setArtifactUri(folder.toString()).build());
        }
        Set<String> seen = new HashSet<>();
        String token = "";
        int pages = 0;
        do {
            ListModelsResponse page = registry.listModels(ListModelsRequest.newBuilder().setPageSize(2).setPageToken(token).build());
            assertTrue(page.getModelsCount() <= 2);
            page.getModelsList().forEach(model -> assertTrue(seen.add(model.getId()), "model listed twice: " + model.getId()));
            token = page.getNextPageToken();
            pages++;
        } while (!token.isEmpty());
        // The default team's models: other tests register models of other teams, which it cannot see.
        assertEquals(((Number) entityManager.createNativeQuery("SELECT count(*) FROM model WHERE team_id = 'team-default'")
                .getSingleResult()).longValue(), seen.size());
        assertTrue(pages >= 3);

        StatusRuntimeException badToken = assertThrows(StatusRuntimeException.class,
                () -> registry.listModels(ListModelsRequest.newBuilder().setPageToken("%%%").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, badToken.getStatus().getCode());
        StatusRuntimeException badSize = assertThrows(StatusRuntimeException.class,
                () -> registry.listModels(ListModelsRequest.newBuilder().setPageSize(5000).build()));
        assertTrue(badSize.getStatus().getDescription().startsWith("page_size must be between"));
    }

    @Test
    void registerCorpus_sameContentTwice_returnsTheExistingCorpus() throws IOException {
        Path file = Assets.corpus("tiny_shakespeare.txt");
        RegisterCorpusRequest request = RegisterCorpusRequest.newBuilder()
                .setName(unique("shakespeare")).setSourceUri(file.toString()).setSha256(ContentHash.ofFile(file))
                .setDocumentCount(7000).setDocumentRule("blank-lines").setDomain("drama").build();
        assertEquals(registry.registerCorpus(request).getId(),
                registry.registerCorpus(request.toBuilder().setName(unique("again")).build()).getId());
        StatusRuntimeException badHash = assertThrows(StatusRuntimeException.class,
                () -> registry.registerCorpus(request.toBuilder().setSha256("xyz").build()));
        assertTrue(badHash.getStatus().getDescription().startsWith("sha256 must be 64 lower-case hex digits"));
    }

    @Test
    void recordScores_oneBadScore_recordsNone() {
        Model model = registry.registerModel(stories(unique("scored")).build());
        Score good = Score.newBuilder().setModelId(model.getId()).setTask("copa").setMetric("acc").setValue(0.64)
                .setStderr(0.048).setN(100).putSettings("limit", "0").build();
        Score bad = good.toBuilder().setValue(Double.NaN).build();
        StatusRuntimeException error = assertThrows(StatusRuntimeException.class,
                () -> registry.recordScores(RecordScoresRequest.newBuilder().addScores(good).addScores(bad).build()));
        assertEquals("scores[1].value must be a finite number, got NaN", error.getStatus().getDescription());
        QueryScoresRequest query = QueryScoresRequest.newBuilder().setModelId(model.getId()).build();
        assertEquals(0, registry.queryScores(query).getScoresCount());

        registry.recordScores(RecordScoresRequest.newBuilder().addScores(good).build());
        Score stored = registry.queryScores(query).getScores(0);
        assertEquals(0.64, stored.getValue());
        assertEquals("0", stored.getSettingsOrThrow("limit"));
    }

    @Test
    void scores_areImmutableInTheDatabaseItself() {
        Model model = registry.registerModel(stories(unique("immutable")).build());
        registry.recordScores(RecordScoresRequest.newBuilder().addScores(Score.newBuilder().setModelId(model.getId())
                .setTask("copa").setMetric("acc").setValue(0.5)).build());
        PersistenceException error = assertThrows(PersistenceException.class, this::tamperWithScores);
        assertTrue(Stream.iterate((Throwable) error, e -> e != null, Throwable::getCause)
                .anyMatch(e -> String.valueOf(e.getMessage()).contains("score rows are immutable")), error.toString());
        assertNotEquals(0, modelCount());
        assertFalse(registry.queryScores(QueryScoresRequest.newBuilder().setModelId(model.getId()).build())
                .getScoresList().stream().anyMatch(score -> score.getValue() == 1.0));
    }

    void tamperWithScores() {
        QuarkusTransaction.requiringNew().run(() -> entityManager.createNativeQuery("UPDATE score SET value = 1.0").executeUpdate());
    }

    private long modelCount() {
        return ((Number) entityManager.createNativeQuery("SELECT count(*) FROM model").getSingleResult()).longValue();
    }
}
