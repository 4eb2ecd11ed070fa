package dev.calibra.registry.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.calibra.proto.v1.DeleteModelRequest;
import dev.calibra.proto.v1.EvaluateRequest;
import dev.calibra.proto.v1.GetModelRequest;
import dev.calibra.proto.v1.JobSpec;
import dev.calibra.proto.v1.JobsGrpc;
import dev.calibra.proto.v1.Model;
import dev.calibra.proto.v1.RecordScoresRequest;
import dev.calibra.proto.v1.RegisterModelRequest;
import dev.calibra.proto.v1.RegistryGrpc;
import dev.calibra.proto.v1.Score;
import dev.calibra.proto.v1.SubmitJobRequest;
import dev.calibra.proto.v1.UpdateModelRequest;
import dev.calibra.registry.Assets;
import dev.calibra.registry.TestDatabase;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceException;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Registered versions are immutable: description and tags change, a model others depend on is never deleted. */
@QuarkusTest
@QuarkusTestResource(TestDatabase.class)
class ModelLifecycleTest {

    @GrpcClient("registry") RegistryGrpc.RegistryBlockingStub registry;
    @GrpcClient("registry") JobsGrpc.JobsBlockingStub jobs;
    @Inject EntityManager entityManager;

    private Model register(String parentId) {
        return registry.registerModel(RegisterModelRequest.newBuilder().setName("lifecycle-" + UUID.randomUUID())
                .setArtifactUri(Assets.stories260K().toString()).setArchitecture("LlamaForCausalLM").setParameterCount(260_000)
                .setParentModelId(parentId).build());
    }

    private Status refusal(Runnable call) {
        return assertThrows(StatusRuntimeException.class, call::run).getStatus();
    }

    @Test
    void updateModel_changesDescriptionAndTags_andNothingElse() {
        Model model = register("");
        Model described = registry.updateModel(UpdateModelRequest.newBuilder().setId(model.getId())
                .setDescription("the base model").setUpdateDescription(true).build());
        assertEquals("the base model", described.getDescription());
        assertEquals(List.of(), described.getTagsList(), "tags untouched without update_tags");
        Model tagged = registry.updateModel(UpdateModelRequest.newBuilder().setId(model.getId())
                .addTags("baseline").addTags("tiny").setUpdateTags(true).build());
        assertEquals(List.of("baseline", "tiny"), tagged.getTagsList());
        assertEquals("the base model", tagged.getDescription());
        assertEquals(model.toBuilder().setDescription("the base model").clearTags().addTags("baseline").addTags("tiny").build(),
                registry.getModel(GetModelRequest.newBuilder().setId(model.getId()).build()));

        Status nothing = refusal(() -> registry.updateModel(UpdateModelRequest.newBuilder().setId(model.getId()).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, nothing.getCode());
        assertEquals("nothing to change: set update_description or update_tags", nothing.getDescription());
        assertEquals(Status.Code.NOT_FOUND, refusal(() -> registry.updateModel(UpdateModelRequest.newBuilder()
                .setId("mdl-nope").setUpdateDescription(true).build())).getCode());
    }

    @Test
    void deleteModel_refusedWhileAnythingRefersToIt_sayingWhat() {
        Model base = register("");
        Model derived = register(base.getId());
        registry.recordScores(RecordScoresRequest.newBuilder().addScores(Score.newBuilder().setModelId(base.getId())
                .setTask("copa").setMetric("acc").setValue(0.5)).build());
        jobs.submitJob(SubmitJobRequest.newBuilder().setSpec(JobSpec.newBuilder().setEvaluate(EvaluateRequest.newBuilder()
                .setModelId(base.getName()).addTasks("copa"))).build());

        Status refused = refusal(() -> registry.deleteModel(DeleteModelRequest.newBuilder().setId(base.getId()).build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, refused.getCode());
        assertEquals("model " + base.getId() + " cannot be deleted: 1 model(s) derive from it, and 1 score(s), 0 calibration"
                + " set(s) and 1 job(s) refer to it; registered versions others depend on stay", refused.getDescription());

        // The database holds the rule for anyone who bypasses the service.
        PersistenceException direct = assertThrows(PersistenceException.class, () -> QuarkusTransaction.requiringNew().run(() ->
                entityManager.createNativeQuery("DELETE FROM model WHERE id = :id").setParameter("id", base.getId()).executeUpdate()));
        assertTrue(messages(direct).contains("is still referenced"), messages(direct));

        Model deleted = registry.deleteModel(DeleteModelRequest.newBuilder().setId(derived.getId()).build());
        assertEquals(derived.getId(), deleted.getId());
        assertEquals(Status.Code.NOT_FOUND, refusal(() -> registry.getModel(GetModelRequest.newBuilder().setId(derived.getId()).build()))
                .getCode());
        assertTrue(registry.getModel(GetModelRequest.newBuilder().setId(base.getId()).build()).getId().equals(base.getId()));
    }

    @Test
    void scoresCorporaAndCalibrationSets_areNeverDeleted() {
        for (String table : List.of("score", "corpus", "calibration_set", "api_key", "team")) {
            PersistenceException refused = assertThrows(PersistenceException.class, () -> QuarkusTransaction.requiringNew().run(() ->
                    entityManager.createNativeQuery("DELETE FROM " + table).executeUpdate()), table);
            assertTrue(messages(refused).contains(table + " rows cannot be changed or removed"), messages(refused));
        }
    }

    private static String messages(Throwable error) {
        return String.join(" | ", Stream.iterate(error, e -> e != null, Throwable::getCause).map(e -> String.valueOf(e.getMessage())).toList());
    }
}
