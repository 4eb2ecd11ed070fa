package dev.calibra.artifacts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/** Which store a configuration gives, and how an S3 store reads the AWS variables. */
class ArtifactStoresTest {

    @TempDir Path folder;

    @Test
    void s3Uri_withEndpointAndKeysFromTheEnvironment_reachesTheServer() throws Exception {
        try (LocalS3Server server = new LocalS3Server(Files.createDirectories(folder.resolve("server")))) {
            Map<String, String> env = Map.of(
                    ArtifactStores.STORE_VARIABLE, "s3://models/calibra",
                    "AWS_ENDPOINT_URL", server.endpoint().toString(),
                    "AWS_REGION", "us-east-1",
                    "AWS_ACCESS_KEY_ID", LocalS3Server.ACCESS_KEY_ID,
                    "AWS_SECRET_ACCESS_KEY", LocalS3Server.SECRET_ACCESS_KEY);
            S3StoreConfig config = S3StoreConfig.fromEnvironment(URI.create("s3://models/calibra"), env, folder.resolve("cache"));
            try (S3Client admin = config.newClient()) {
                admin.createBucket(b -> b.bucket("models"));
            }
            ArtifactStore store = ArtifactStores.fromEnvironment(env, folder.resolve("cache"));
            try (S3ArtifactStore s3 = assertInstanceOf(S3ArtifactStore.class, store)) {
                assertEquals(new S3Location("models", "calibra"), s3.location());
                StoredArtifact stored = s3.putFile("teams/nlp/calibration/x/set.bin", out -> out.write(new byte[] {9}));
                assertEquals(URI.create("s3://models/calibra/teams/nlp/calibration/x/set.bin"), stored.uri());
                assertArrayEquals(new byte[] {9}, Files.readAllBytes(s3.resolve(stored.uri())));
            }
        }
    }

    @Test
    void s3Config_readsTheAwsVariables() {
        Path cache = folder.resolve("cache");
        S3StoreConfig config = S3StoreConfig.fromEnvironment(URI.create("s3://bucket/a/b/"), Map.of(
                "AWS_ENDPOINT_URL_S3", "http://s3.internal:9000",
                "AWS_ENDPOINT_URL", "http://other:1",
                "AWS_DEFAULT_REGION", "eu-central-1",
                "AWS_ACCESS_KEY_ID", "id",
                "AWS_SECRET_ACCESS_KEY", "s3cr3t-value",
                "AWS_SESSION_TOKEN", "t0ken-value",
                "CALIBRA_S3_PART_BYTES", "16777216"), cache);
        assertEquals(new S3Location("bucket", "a/b"), config.location());
        assertEquals(URI.create("http://s3.internal:9000"), config.endpoint(), "the S3-specific endpoint wins");
        assertEquals("eu-central-1", config.region());
        assertEquals(new S3StoreConfig.AccessKey("id", "s3cr3t-value", "t0ken-value"), config.accessKey());
        assertFalse(config.toString().contains("s3cr3t") || config.toString().contains("t0ken"), config.toString());
        assertEquals(16L << 20, config.partSizeBytes());

        S3StoreConfig plain = S3StoreConfig.fromEnvironment(URI.create("s3://bucket"), Map.of(), cache);
        assertEquals("", plain.location().prefix());
        assertNull(plain.endpoint());
        assertEquals("us-east-1", plain.region());
        assertNull(plain.accessKey(), "the SDK's default chain");
        assertEquals(64L << 20, plain.partSizeBytes());

        assertThrows(IllegalArgumentException.class, () -> S3StoreConfig.fromEnvironment(URI.create("s3://bucket"),
                Map.of("AWS_ACCESS_KEY_ID", "id"), cache), "half a key pair");
        assertThrows(IllegalArgumentException.class, () -> S3StoreConfig.fromEnvironment(URI.create("s3://bucket"),
                Map.of("CALIBRA_S3_PART_BYTES", "1024"), cache), "below S3's smallest part");
    }

    @Test
    void pathOrFileUri_givesTheLocalStore() throws IOException {
        Path root = folder.resolve("store");
        LocalArtifactStore byPath = assertInstanceOf(LocalArtifactStore.class,
                ArtifactStores.open(root.toString(), Map.of(), folder.resolve("cache")));
        assertEquals(root, byPath.root());
        LocalArtifactStore byUri = assertInstanceOf(LocalArtifactStore.class,
                ArtifactStores.open(root.toUri().toString(), Map.of(), folder.resolve("cache")));
        assertEquals(root, byUri.root());
        LocalArtifactStore byOldVariable = assertInstanceOf(LocalArtifactStore.class,
                ArtifactStores.fromEnvironment(Map.of("CALIBRA_ARTIFACTS", root.toString()), folder.resolve("cache")));
        assertEquals(root, byOldVariable.root());
    }

    @Test
    void localPath_readsPathsAndFileUrisAsTheyAre_andStoreUrisThroughTheStore() throws IOException {
        LocalArtifactStore store = new LocalArtifactStore(folder.resolve("store"));
        Path outside = folder.resolve("assets/model");
        assertEquals(outside, ArtifactStores.localPath(store, outside.toString()), "base models may live outside the store");
        assertEquals(outside, ArtifactStores.localPath(store, outside.toUri().toString()));
        IllegalArgumentException s3 = assertThrows(IllegalArgumentException.class,
                () -> ArtifactStores.localPath(store, "s3://bucket/prefix/teams/nlp/models/x"));
        assertTrue(s3.getMessage().contains("s3://bucket/prefix/teams/nlp/models/x"), s3.getMessage());
        IllegalArgumentException other = assertThrows(IllegalArgumentException.class,
                () -> ArtifactStores.localPath(store, "gs://bucket/x"));
        assertTrue(other.getMessage().contains("'gs'"), other.getMessage());
    }

    @Test
    void unknownSchemeOrNothing_isRefusedNamingTheValue() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> ArtifactStores.open("gs://bucket/prefix", Map.of(), folder));
        assertTrue(unknown.getMessage().contains("gs://bucket/prefix"), unknown.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> ArtifactStores.fromEnvironment(Map.of(), folder));
        assertTrue(none.getMessage().contains("CALIBRA_ARTIFACT_STORE"), none.getMessage());
    }
}
