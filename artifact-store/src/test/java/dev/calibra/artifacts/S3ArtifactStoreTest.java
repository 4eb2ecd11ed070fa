package dev.calibra.artifacts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/** S3ArtifactStore against a real S3 server (S3Proxy on a temporary folder), one bucket per test. */
class S3ArtifactStoreTest {

    private static final long PART_BYTES = S3StoreConfig.MIN_PART_SIZE_BYTES;
    private static final String PREFIX = "calibra/store";
    private static final AtomicInteger BUCKETS = new AtomicInteger();

    @TempDir static Path serverFolder;
    private static LocalS3Server server;

    @TempDir Path cacheDir;
    @TempDir Path otherCacheDir;
    @TempDir Path localRoot;

    private final Calls calls = new Calls();
    private S3StoreConfig config;
    private S3Client admin;
    private S3ArtifactStore store;

    @BeforeAll
    static void startServer() throws Exception {
        server = new LocalS3Server(serverFolder);
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    @BeforeEach
    void createBucket() throws IOException {
        S3Location location = new S3Location("bucket-" + BUCKETS.incrementAndGet(), PREFIX);
        config = new S3StoreConfig(location, server.endpoint(), "us-east-1",
                new S3StoreConfig.AccessKey(LocalS3Server.ACCESS_KEY_ID, LocalS3Server.SECRET_ACCESS_KEY, null),
                cacheDir, PART_BYTES);
        admin = config.newClient();
        admin.createBucket(b -> b.bucket(location.bucket()));
        store = new S3ArtifactStore(config.newClient(calls), config);
    }

    @AfterEach
    void closeClients() {
        store.close();
        admin.close();
    }

    @Test
    void putFile_roundTrips_withTheLocalStoresSha256() throws IOException {
        byte[] bytes = "hello".getBytes(StandardCharsets.UTF_8);
        String key = StoreLayout.calibration("nlp", "abc") + "/set.bin";
        StoredArtifact stored = store.putFile(key, out -> out.write(bytes));
        StoredArtifact local = new LocalArtifactStore(localRoot).putFile(key, out -> out.write(bytes));

        assertEquals(URI.create("s3://" + bucket() + "/" + PREFIX + "/" + key), stored.uri());
        assertEquals(local.sha256(), stored.sha256());
        assertEquals(5, stored.sizeBytes());
        assertEquals(stored.sha256(), admin.headObject(b -> b.bucket(bucket()).key(PREFIX + "/" + key)).metadata().get("sha256"));
        assertTrue(store.exists(key));
        assertArrayEquals(bytes, Files.readAllBytes(freshStore().resolve(stored.uri())), "downloaded into another cache");
        assertArrayEquals(bytes, Files.readAllBytes(store.resolve(stored.uri())), "kept in the writer's cache");

        store.delete(key);
        assertFalse(store.exists(key));
        assertEquals(List.of(), objectsUnder(""));
        store.delete(key);  // absent is not an error
        assertThrows(FileAlreadyExistsException.class, () -> {
            store.putFile(key, out -> out.write(1));
            store.putFile(key, out -> out.write(2));
        }, "artifacts are immutable");
    }

    @Test
    void putFolder_roundTrips_withTheLocalStoresSha256() throws IOException {
        String key = StoreLayout.model("nlp", "run-1");
        ArtifactStore.FolderWriter writer = dir -> {
            Files.writeString(dir.resolve("config.json"), "{}");
            Files.createDirectories(dir.resolve("sub/deeper"));
            Files.writeString(dir.resolve("sub/w.bin"), "abc");
            Files.write(dir.resolve("sub/deeper/empty.bin"), new byte[0]);
        };
        StoredArtifact stored = store.putFolder(key, writer);
        StoredArtifact local = new LocalArtifactStore(localRoot).putFolder(key, writer);

        assertEquals(local.sha256(), stored.sha256(), "a model's sha256 does not depend on the store");
        assertEquals(local.sizeBytes(), stored.sizeBytes());
        assertTrue(store.exists(key));
        assertEquals(List.of(FolderManifest.FILE_NAME, "config.json", "sub/deeper/empty.bin", "sub/w.bin"),
                objectsUnder(key + "/").stream().sorted().toList());
        Path downloaded = freshStore().resolve(stored.uri());
        assertEquals(local.sha256(), ContentHash.ofFolder(downloaded));
        assertEquals("abc", Files.readString(downloaded.resolve("sub/w.bin")));
        assertThrows(FileAlreadyExistsException.class, () -> store.putFolder(key, dir -> {}), "artifacts are immutable");

        store.delete(key);
        assertFalse(store.exists(key));
        assertEquals(List.of(), objectsUnder(""));
    }

    @Test
    void localFolder_givesTheFilesPutUnderAFolderKey_downloadingThoseNotCached() throws IOException {
        String folder = StoreLayout.checkpoints("nlp", "run-2");
        store.putFile(folder + "/block-00000.safetensors", out -> out.write(new byte[] {1, 2}));
        store.putFile(folder + "/block-00001.safetensors", out -> out.write(new byte[] {3}));

        for (S3ArtifactStore reader : List.of(store, freshStore())) {
            Path local = reader.localFolder(folder + "/");
            assertArrayEquals(new byte[] {1, 2}, Files.readAllBytes(local.resolve("block-00000.safetensors")));
            assertArrayEquals(new byte[] {3}, Files.readAllBytes(local.resolve("block-00001.safetensors")));
        }
        assertEquals(0, calls.count("GetObject"), "the writer reads its own uploads from its cache");
        store.delete(folder);
        assertFalse(Files.exists(store.localFolder(folder)), "deleting evicts the cached copies too");
    }

    @Test
    void recorded_isWhatTheWriterRecorded_withoutDownloading() throws IOException {
        StoredArtifact file = store.putFile("teams/nlp/calibration/a.bin", out -> out.write(new byte[] {9, 9, 9}));
        StoredArtifact folder = store.putFolder("teams/nlp/models/run-3", dir -> {
            Files.writeString(dir.resolve("config.json"), "{}");
            Files.writeString(dir.resolve("model.safetensors"), "weights");
        });
        S3ArtifactStore reader = freshStore();

        assertEquals(new ArtifactStore.Recorded("teams/nlp/calibration/a.bin", file.sha256(), 3, false, List.of()),
                reader.recorded(file.uri()).orElseThrow());
        assertEquals(new ArtifactStore.Recorded("teams/nlp/models/run-3", folder.sha256(), folder.sizeBytes(), true,
                List.of("config.json", "model.safetensors")), reader.recorded(folder.uri()).orElseThrow());
        assertEquals(0, calls.count("GetObject"), "no content was read");
        NoSuchFileException missing = assertThrows(NoSuchFileException.class,
                () -> reader.recorded(store.uriOf("teams/nlp/models/never")));
        assertTrue(missing.getMessage().contains("s3://" + bucket() + "/" + PREFIX + "/teams/nlp/models/never"),
                missing.getMessage());
        assertThrows(IllegalArgumentException.class, () -> reader.recorded(URI.create("s3://other-bucket/x/y")));
        assertEquals(java.util.Optional.empty(), new LocalArtifactStore(localRoot).recorded(file.uri()),
                "a local store's files are hashed where they lie");
    }

    @Test
    void putFile_aboveThePartSize_goesUpInPartsAndRoundTripsByteExactly() throws IOException {
        byte[] bytes = new byte[(int) (2 * PART_BYTES + 12345)];
        new Random(7).nextBytes(bytes);
        StoredArtifact stored = store.putFile("teams/nlp/checkpoints/run-1/block-00000.safetensors", out -> out.write(bytes));

        assertEquals(1, calls.count("CreateMultipartUpload"));
        assertEquals(3, calls.count("UploadPart"));
        assertEquals(0, calls.count("PutObject"));
        assertEquals(ContentHash.ofBytes(bytes), stored.sha256());
        assertArrayEquals(bytes, Files.readAllBytes(freshStore().resolve(stored.uri())));
    }

    @Test
    void putFileAndManifest_askTheServerToRefuseATakenKey() throws IOException {
        // Two writers racing for one key both pass the existence check; "If-None-Match: *" on the object (and on a
        // folder's manifest) makes S3 refuse the second. S3Proxy's filesystem back end does not enforce it, so this
        // checks that the store asks.
        store.putFile("teams/nlp/calibration/one.bin", out -> out.write(1));
        store.putFile("teams/nlp/calibration/big.bin", out -> out.write(new byte[(int) PART_BYTES + 1]));
        store.putFolder("teams/nlp/models/run-4", dir -> Files.writeString(dir.resolve("config.json"), "{}"));
        List<String> conditional = calls.seen.stream()
                .map(request -> request instanceof PutObjectRequest put ? put.key() + " " + put.ifNoneMatch()
                        : request instanceof CompleteMultipartUploadRequest complete ? complete.key() + " " + complete.ifNoneMatch()
                        : null)
                .filter(line -> line != null).toList();
        assertEquals(List.of(PREFIX + "/teams/nlp/calibration/one.bin *", PREFIX + "/teams/nlp/calibration/big.bin *",
                PREFIX + "/teams/nlp/models/run-4/config.json null",
                PREFIX + "/teams/nlp/models/run-4/" + FolderManifest.FILE_NAME + " *"), conditional);
    }

    @Test
    void putFile_writerFails_leavesNothingUnderTheKey() throws IOException {
        for (long written : new long[] {1000, PART_BYTES + 1000}) {
            String key = "teams/nlp/calibration/cut-" + written + ".bin";
            IOException cut = assertThrows(IOException.class, () -> store.putFile(key, out -> {
                out.write(new byte[(int) written]);
                throw new IOException("disk full");
            }));
            assertEquals("disk full", cut.getMessage());
            assertFalse(store.exists(key));
        }
        assertEquals(List.of(), objectsUnder(""));
        assertEquals(List.of(), pendingUploads());
        assertEquals(List.of(), stagedFiles(), "no temporary file survives");
    }

    @Test
    void putFile_multipartFailingAfterAPart_isAbortedAndLeavesNothing() throws IOException {
        calls.failWhen = request -> request instanceof UploadPartRequest part && part.partNumber() == 2;
        String key = "teams/nlp/models/big.bin";
        IOException failed = assertThrows(IOException.class,
                () -> store.putFile(key, out -> out.write(new byte[(int) (2 * PART_BYTES + 1)])));

        assertTrue(failed.getMessage().contains("part 2"), failed.getMessage());
        assertEquals(2, calls.count("UploadPart"), "part 1 went up, part 2 failed");
        assertEquals(1, calls.count("AbortMultipartUpload"));
        assertFalse(store.exists(key));
        assertEquals(List.of(), objectsUnder(""));
        assertEquals(List.of(), pendingUploads());
        assertEquals(List.of(), stagedFiles());
    }

    @Test
    void putFolder_failingMidway_leavesNoManifestAndNoObjects() throws IOException {
        String key = StoreLayout.model("nlp", "run-2");
        assertThrows(IOException.class, () -> store.putFolder(key, dir -> {
            Files.writeString(dir.resolve("a.bin"), "a");
            throw new IOException("interrupted");
        }));
        assertEquals(0, calls.count("PutObject"), "a failed writer uploads nothing");

        calls.failWhen = request -> request instanceof PutObjectRequest put && put.key().endsWith("/c.bin");
        assertThrows(IOException.class, () -> store.putFolder(key, dir -> {
            for (String name : List.of("a.bin", "b.bin", "c.bin", "d.bin")) {
                Files.writeString(dir.resolve(name), name);
            }
        }));
        assertEquals(3, calls.count("PutObject"), "a.bin and b.bin went up before c.bin failed");
        assertFalse(store.exists(key));
        assertEquals(List.of(), objectsUnder(""), "what went up is deleted, and no manifest was written");
        assertEquals(List.of(), stagedFiles());
    }

    @Test
    void resolve_missingFileOrFolder_namesTheUri() throws IOException {
        URI never = store.uriOf("teams/nlp/models/never-written");
        UncheckedIOException missing = assertThrows(UncheckedIOException.class, () -> store.resolve(never));
        assertInstanceOf(NoSuchFileException.class, missing.getCause());
        assertTrue(missing.getMessage().contains(never.toString()), missing.getMessage());

        // a folder whose files went up but whose manifest did not (a writer died midway) is missing too
        String unfinished = "teams/nlp/models/unfinished";
        admin.putObject(b -> b.bucket(bucket()).key(PREFIX + "/" + unfinished + "/config.json"), RequestBody.fromString("{}"));
        assertFalse(store.exists(unfinished));
        UncheckedIOException incomplete = assertThrows(UncheckedIOException.class,
                () -> store.resolve(store.uriOf(unfinished)));
        assertInstanceOf(NoSuchFileException.class, incomplete.getCause());
        assertTrue(incomplete.getMessage().contains(store.uriOf(unfinished).toString()), incomplete.getMessage());
    }

    @Test
    void resolve_secondTime_readsTheCacheWithoutDownloading() throws IOException {
        String file = "teams/nlp/calibration/s1/set.bin";
        String folder = StoreLayout.model("nlp", "run-3");
        store.putFile(file, out -> out.write(new byte[] {1, 2, 3}));
        store.putFolder(folder, dir -> Files.writeString(dir.resolve("model.safetensors"), "weights"));
        Calls readerCalls = new Calls();
        try (S3ArtifactStore reader = new S3ArtifactStore(config.newClient(readerCalls), configWithCache(otherCacheDir))) {
            Path first = reader.resolve(reader.uriOf(file));
            Path firstFolder = reader.resolve(reader.uriOf(folder));
            assertEquals(2, readerCalls.downloads(), "the file and the folder's one file");

            assertEquals(first, reader.resolve(reader.uriOf(file)));
            assertEquals(firstFolder, reader.resolve(reader.uriOf(folder)));
            assertEquals(2, readerCalls.downloads(), "cached: only the metadata and the manifest were read");
            // a URI naming a file inside a cached folder (as a calibration set's does) is served from that folder
            assertEquals(firstFolder.resolve("model.safetensors"), reader.resolve(reader.uriOf(folder + "/model.safetensors")));
            assertEquals(2, readerCalls.downloads());

            // a changed cached file (a write moves its modification time; set it so the clock's granularity cannot hide it)
            Path weights = firstFolder.resolve("model.safetensors");
            FileTime before = Files.getLastModifiedTime(weights);
            try (FileChannel channel = FileChannel.open(weights, StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.wrap("W".getBytes(StandardCharsets.UTF_8)), 0);
            }
            Files.setLastModifiedTime(weights, FileTime.fromMillis(before.toMillis() + 2000));
            assertEquals("weights", Files.readString(reader.resolve(reader.uriOf(folder)).resolve("model.safetensors")));
            assertEquals(3, readerCalls.downloads(), "the corrupted copy was detected and downloaded again");

            // a key deleted and written again is read again, not served stale from the cache
            store.delete(file);
            store.putFile(file, out -> out.write(new byte[] {4, 5}));
            assertArrayEquals(new byte[] {4, 5}, Files.readAllBytes(reader.resolve(reader.uriOf(file))));
            assertEquals(4, readerCalls.downloads());
        }
    }

    @Test
    void keysAndUris_outsideTheStore_areRefused() {
        IllegalArgumentException traversal = assertThrows(IllegalArgumentException.class,
                () -> store.putFile("../escape.bin", out -> {}));
        assertTrue(traversal.getMessage().contains("escapes the store root"), traversal.getMessage());
        for (String key : List.of("/etc/passwd", "teams/a/../../../x", "teams//a", "teams/./a", "", ".tmp/x",
                "teams/a/" + FolderManifest.FILE_NAME)) {
            assertThrows(IllegalArgumentException.class, () -> store.putFile(key, out -> {}), key);
            assertThrows(IllegalArgumentException.class, () -> store.exists(key), key);
            assertThrows(IllegalArgumentException.class, () -> store.delete(key), key);
        }
        for (String uri : List.of("s3://other-bucket/" + PREFIX + "/teams/a/x", "s3://" + bucket() + "/calibra/other/teams/a/x",
                "s3://" + bucket() + "/" + PREFIX + "-sibling/teams/a/x", "s3://" + bucket() + "/" + PREFIX + "/../x",
                "file:/etc/passwd")) {
            IllegalArgumentException outside = assertThrows(IllegalArgumentException.class, () -> store.resolve(URI.create(uri)));
            assertTrue(outside.getMessage().contains(uri), outside.getMessage());
        }
        assertEquals(0, calls.seen.size(), "refused before any request");
    }

    @Test
    void listKeys_givesTheArtifactsDirectlyUnderAFolder() throws IOException {
        String models = "teams/nlp/models";
        store.putFolder(models + "/run-1", dir -> Files.writeString(dir.resolve("config.json"), "{}"));
        store.putFile(models + "/loose.bin", out -> out.write(1));
        store.putFile("teams/nlp/modelsX/other.bin", out -> out.write(1));
        admin.putObject(b -> b.bucket(bucket()).key(PREFIX + "/" + models + "/in-flight/part.bin"), RequestBody.fromString("x"));

        assertEquals(List.of(models + "/in-flight", models + "/loose.bin", models + "/run-1"), store.listKeys(models + "/"));
        assertEquals(List.of(), store.listKeys("teams/vision/models"));
    }

    private S3ArtifactStore freshStore() throws IOException {
        return new S3ArtifactStore(config.newClient(), configWithCache(Files.createTempDirectory(otherCacheDir, "cache")));
    }

    private S3StoreConfig configWithCache(Path cache) {
        return new S3StoreConfig(config.location(), config.endpoint(), config.region(), config.accessKey(), cache,
                config.partSizeBytes());
    }

    private String bucket() {
        return config.location().bucket();
    }

    /** Object names under the store's prefix + {@code under}, relative to that. */
    private List<String> objectsUnder(String under) {
        String prefix = PREFIX + "/" + under;
        return admin.listObjectsV2Paginator(b -> b.bucket(bucket()).prefix(prefix)).contents().stream()
                .map(S3Object::key).map(key -> key.substring(prefix.length())).toList();
    }

    private List<String> pendingUploads() {
        return admin.listMultipartUploads(b -> b.bucket(bucket())).uploads().stream()
                .map(upload -> upload.key() + " " + upload.uploadId()).toList();
    }

    private List<Path> stagedFiles() throws IOException {
        try (Stream<Path> staged = Files.list(cacheDir.resolve(".tmp"))) {
            return staged.toList();
        }
    }

    /** Records every S3 call a client makes, and fails the ones {@link #failWhen} picks. */
    static final class Calls implements ExecutionInterceptor {
        final List<SdkRequest> seen = new CopyOnWriteArrayList<>();
        volatile Predicate<SdkRequest> failWhen = request -> false;

        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            seen.add(context.request());
            if (failWhen.test(context.request())) {
                // what a dropped connection looks like to the caller
                throw SdkClientException.create("injected failure of " + context.request().getClass().getSimpleName());
            }
        }

        long count(String operation) {
            return seen.stream().filter(request -> request.getClass().getSimpleName().equals(operation + "Request")).count();
        }

        /** GETs of content: every GetObject except of a folder manifest. */
        long downloads() {
            return seen.stream().filter(request -> request instanceof GetObjectRequest get
                    && !get.key().endsWith("/" + FolderManifest.FILE_NAME)).count();
        }
    }
}
