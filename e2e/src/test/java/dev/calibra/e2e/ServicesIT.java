package dev.calibra.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.calibra.proto.v1.EvaluateRequest;
import dev.calibra.proto.v1.Job;
import dev.calibra.proto.v1.JobSpec;
import dev.calibra.proto.v1.JobsGrpc;
import dev.calibra.proto.v1.SubmitJobRequest;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Every service answers health checks and reflection over the network; jobs through the CLI. */
class ServicesIT {

    private static final Map<String, String> CONTRACT = Map.of(
            "registry", "calibra.v1.Registry", "calibration", "calibra.v1.Calibration",
            "compression", "calibra.v1.Compression", "evaluation", "calibra.v1.Evaluation");

    @Test
    void everyService_servesHealthAndReflectionOfItsContract() throws Exception {
        LocalStack stack = LocalStack.shared();
        for (var entry : CONTRACT.entrySet()) {
            ManagedChannel channel = stack.channel(entry.getKey());
            assertEquals(HealthCheckResponse.ServingStatus.SERVING,
                    HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance()).getStatus());
            Set<String> services = reflectedServices(channel);
            assertTrue(services.contains(entry.getValue()), entry.getKey() + " reflects " + services);
            assertTrue(services.contains("grpc.health.v1.Health"), entry.getKey() + " reflects " + services);
        }
        assertTrue(reflectedServices(stack.channel("registry")).containsAll(List.of("calibra.v1.Jobs", "calibra.v1.Studies")));
    }

    private static Set<String> reflectedServices(ManagedChannel channel) throws Exception {
        CompletableFuture<Set<String>> names = new CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel).serverReflectionInfo(
                new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse response) {
                        names.complete(response.getListServicesResponse().getServiceList().stream()
                                .map(ServiceResponse::getName).collect(Collectors.toSet()));
                    }

                    @Override
                    public void onError(Throwable error) {
                        names.completeExceptionally(error);
                    }

                    @Override
                    public void onCompleted() {}
                });
        requests.onNext(ServerReflectionRequest.newBuilder().setListServices("*").build());
        Set<String> result = names.get(20, TimeUnit.SECONDS);
        requests.onCompleted();
        return result;
    }

    @Test
    void jobsCli_showsCancelsAndWatchesAJob() {
        LocalStack stack = LocalStack.shared();
        JobsGrpc.JobsBlockingStub jobs = JobsGrpc.newBlockingStub(stack.channel("registry"));
        // SubmitJob checks that its inputs exist and are visible to the caller: a real model.
        String model = stack.cli("models", "register", "--path", LocalStack.assets()
                .resolve("models/stories260K").toString(), "--name", "jobs-cli-model", "--json")
                .json().get("id").asText();
        Job job = jobs.submitJob(SubmitJobRequest.newBuilder().setRequestId(UUID.randomUUID().toString())
                .setSpec(JobSpec.newBuilder().setEvaluate(EvaluateRequest.newBuilder().setModelId(model).addTasks("hellaswag")))
                .build());

        JsonNode shown = stack.cli("jobs", "show", job.getId(), "--json").json();
        assertEquals(job.getId(), shown.get("id").asText());
        assertEquals("JOB_TYPE_EVALUATE", shown.get("type").asText());

        JsonNode cancelled = stack.cli("jobs", "cancel", job.getId(), "--reason", "test", "--json").json();
        assertTrue(Set.of("JOB_STATE_CANCELLED", "JOB_STATE_FAILED").contains(cancelled.get("state").asText()), cancelled.toString());

        LocalStack.CliResult watched = stack.cli("jobs", "watch", job.getId(), "--json");
        assertEquals(1, watched.exitCode(), "watch exits non-zero for a job that did not succeed");
        assertEquals(cancelled.get("state"), watched.json().get("state"));

        JsonNode listed = stack.cli("jobs", "list", "--json").json();
        assertTrue(listed.get("jobs").findValuesAsText("id").contains(job.getId()));
        assertEquals(1, stack.cli("jobs", "list", "--state", "sideways", "--json").exitCode());
    }
}
