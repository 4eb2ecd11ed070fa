package dev.calibra.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.calibra.artifacts.ArtifactStore;
import dev.calibra.artifacts.ArtifactStores;
import dev.calibra.artifacts.LocalS3Server;
import dev.calibra.proto.v1.RegisterModelRequest;
import dev.calibra.proto.v1.RegistryGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The stack with its artifacts in an S3 bucket (a real S3 server: S3Proxy on a folder, in this JVM): a study's
 * calibration sets, checkpoints and compressed models go to the bucket and nowhere else, every service reads them
 * through its cache, the CLI shows and reads them, and {@code calibra gc} collects what no record refers to there.
 */
class ObjectStoreIT {

    private static final String BUCKET = "calibra-e2e";
    private static final String STORE = "s3://" + BUCKET + "/deployment";

    @TempDir static Path folder;
    private static LocalS3Server server;
    private static LocalStack stack;
    private static Map<String, String> env;

    @BeforeAll
    static void startTheServerAndTheStack() throws Exception {
        server = new LocalS3Server(folder.resolve("s3"));
        env = new HashMap<>(Map.of(
                "CALIBRA_ARTIFACT_STORE", STORE,
                "AWS_ENDPOINT_URL_S3", server.endpoint().toString(),
                "AWS_REGION", "us-east-1",
                "AWS_ACCESS_KEY_ID", LocalS3Server.ACCESS_KEY_ID,
                "AWS_SECRET_ACCESS_KEY", LocalS3Server.SECRET_ACCESS_KEY));
        try (S3Client admin = client()) {
            admin.createBucket(b -> b.bucket(BUCKET));
        }
        // the bucket is new on every run, so the stack's records must be too
        stack = LocalStack.fresh("object-store", 9560, env);
        stack.up();
    }

    @AfterAll
    static void stop() throws Exception {
        if (stack != null) {
            stack.down();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aStudyOnTheObjectStore_keepsEveryArtifactThere_andGcCollectsThere(@TempDir Path temp) throws Exception {
        // a base model registered from this machine's disk goes into the bucket, where every worker reads it
        JsonNode base = ok(stack.cli("models", "register", "--path", LocalStack.assets().resolve("models/stories260K").toString(),
                "--name", "s3-stories", "--json"));
        String model = base.get("name").asText();
        assertTrue(base.get("path").asText().startsWith(STORE + "/teams/") && base.get("path").asText().contains("/models/base-"),
                base.toString());
        JsonNode again = ok(stack.cli("models", "register", "--path", LocalStack.assets().resolve("models/stories260K").toString(),
                "--name", "s3-stories-again", "--json"));
        assertEquals(base.get("path"), again.get("path"), "the same weights are uploaded once");
        String corpus = ok(stack.cli("corpora", "add", "--path",
                LocalStack.assets().resolve("corpora/tinystories_valid_first.txt").toString(), "--name", "s3-tinystories",
                "--json")).get("name").asText();
        Path spec = Files.writeString(temp.resolve("s3.yaml"), """
                name: s3
                models: [%s]
                include_dense: false
                methods:
                  - {method: gptq, bits: 4, group_size: 32}
                  - {method: sparsegpt, sparsity: 0.5}
                sources:
                  - {label: stories, strategy: random_window, corpus: %s, n_samples: 4, seq_len: 64, sets: 1, seed: 7}
                evaluation:
                  tasks: [copa]
                  limit: 8
                """.formatted(model, corpus));
        JsonNode run = ok(stack.cli("study", "run", spec.toString(), "--out", temp.resolve("reports").toString(), "--json"));
        JsonNode report = new ObjectMapper().readTree(Path.of(run.get("report_json").asText()).toFile());
        assertEquals("STUDY_STATE_FINISHED", report.get("study").get("state").asText(), report.toString());

        // every compressed model and set is in the bucket, under the team's folder, and none on the stack's disk
        List<String> compressed = new ArrayList<>();
        for (JsonNode listed : ok(stack.cli("models", "list", "--json")).get("models")) {
            if (!listed.path("compression").path("method").asText().isEmpty()) {
                assertTrue(listed.get("path").asText().startsWith(STORE + "/teams/"), listed.toString());
                compressed.add(listed.get("path").asText());
            }
        }
        assertEquals(2, compressed.size(), "gptq and sparsegpt outputs: " + compressed);
        JsonNode sets = ok(stack.cli("calibration", "list", "--json")).get("calibration_sets");
        assertEquals(1, sets.size(), sets.toString());
        String setPath = sets.get(0).get("artifact_path").asText();
        assertTrue(setPath.startsWith(STORE + "/teams/") && setPath.endsWith("/set.safetensors"), setPath);
        assertFalse(Files.exists(stack.stateDir().resolve("artifacts/teams")), "nothing written to the local folder");
        List<String> keys = objectKeys();
        assertTrue(keys.stream().anyMatch(key -> key.endsWith("/.calibra-complete.tsv")), "folders complete by manifest");
        assertTrue(keys.stream().noneMatch(key -> key.contains("/checkpoints/")), "finished jobs leave no checkpoint: " + keys);

        // a set's rows and their provenance (the sidecar beside the set) read back from the bucket
        JsonNode shown = ok(stack.cli("calibration", "show", sets.get(0).get("id").asText(), "--samples", "2", "--json"));
        assertEquals(2, shown.get("samples").size());
        assertTrue(shown.get("samples").get(0).get("provenance").has("document_index"), shown.toString());

        // an unregistered output (a job that died between writing and registering), and another team's folder
        String team = URI.create(compressed.get(0)).getPath().split("/")[3];
        String orphan = "teams/" + team + "/models/job-that-died";
        String othersModel = "teams/other-team/models/theirs";
        try (ArtifactStore writer = ArtifactStores.open(STORE, env, temp.resolve("writer-cache"))) {
            writer.putFolder(orphan, dir -> Files.writeString(dir.resolve("config.json"), "{}"));
            writer.putFolder(othersModel, dir -> Files.writeString(dir.resolve("config.json"), "{}"));
        }

        // the registry checks s3 URIs against the store: inside it, present, in the caller's team folder
        RegistryGrpc.RegistryBlockingStub registry = RegistryGrpc.newBlockingStub(stack.channel("registry"));
        Map<String, Status.Code> refusals = Map.of(
                STORE + "/" + othersModel, Status.Code.PERMISSION_DENIED,
                STORE + "/teams/" + team + "/models/never-written", Status.Code.INVALID_ARGUMENT,
                "s3://" + BUCKET + "/elsewhere/models/x", Status.Code.INVALID_ARGUMENT,
                "s3://another-bucket/deployment/teams/" + team + "/models/x", Status.Code.INVALID_ARGUMENT);
        for (Map.Entry<String, Status.Code> refusal : refusals.entrySet()) {
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> registry.registerModel(
                    RegisterModelRequest.newBuilder().setName("stolen").setArchitecture("LlamaForCausalLM")
                            .setParameterCount(1).setArtifactUri(refusal.getKey()).build()), refusal.getKey());
            assertEquals(refusal.getValue(), refused.getStatus().getCode(), refusal.getKey() + ": " + refused.getStatus());
            assertTrue(refused.getStatus().getDescription().contains("artifact_uri"), refused.getStatus().getDescription());
        }

        // gc: both unreferenced folders go once old enough, what records refer to stays
        ageTheBucket(Instant.now().minusSeconds(7200));
        // the largest unreferenced subtrees, as on a folder: the other team's whole folder
        List<String> garbage = Stream.of(STORE + "/teams/other-team", STORE + "/" + orphan).sorted().toList();
        JsonNode dry = ok(stack.cli("gc", "--min-age", "PT5M", "--dry-run", "--json"));
        assertEquals(garbage, strings(dry.get("removed")).stream().sorted().toList(), dry.toString());
        JsonNode gc = ok(stack.cli("gc", "--min-age", "PT5M", "--json"));
        assertEquals(garbage, strings(gc.get("removed")).stream().sorted().toList(), gc.toString());
        assertTrue(objectKeys().stream().noneMatch(key -> key.contains("job-that-died") || key.contains("other-team")),
                "the unreferenced objects are gone");
        assertEquals(keys, objectKeys(), "everything a record refers to stays");
        assertEquals(List.of(), strings(ok(stack.cli("gc", "--min-age", "PT5M", "--json")).get("removed")),
                "a second gc finds nothing");

        // what gc kept still reads: the set again, through a fresh CLI cache
        assertEquals(2, ok(stack.cli("calibration", "show", sets.get(0).get("id").asText(), "--samples", "2", "--json"))
                .get("samples").size());
    }

    private static JsonNode ok(LocalStack.CliResult result) {
        assertEquals(0, result.exitCode(), result.stdout() + "\n" + result.stderr());
        return result.json();
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }

    private static List<String> objectKeys() {
        try (S3Client admin = client()) {
            return admin.listObjectsV2Paginator(b -> b.bucket(BUCKET)).contents().stream().map(S3Object::key).sorted().toList();
        }
    }

    /** S3Proxy's folder back end reports a file's modification time as LastModified: age them all, as time would. */
    private static void ageTheBucket(Instant when) throws IOException {
        try (Stream<Path> files = Files.walk(folder.resolve("s3").resolve(BUCKET))) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                Files.setLastModifiedTime(file, FileTime.from(when));
            }
        }
    }

    private static S3Client client() {
        return dev.calibra.artifacts.S3StoreConfig.fromEnvironment(URI.create(STORE), env, folder.resolve("admin-cache"))
                .newClient();
    }
}
