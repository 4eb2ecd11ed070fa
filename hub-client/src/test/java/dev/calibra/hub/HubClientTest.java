package dev.calibra.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.calibra.hub.HubException.Kind;
import dev.calibra.hub.LocalHubServer.RecordedRequest;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Pulls the real stories260K files from a LocalHubServer. */
class HubClientTest {

    private static final String REPO = StoriesModel.REPO_ID;
    private static final HubReference MAIN = HubReference.of(REPO, "main");
    private static final String COMMIT = LocalHubServer.commitOf(REPO);
    private static final Duration QUICK_RETRY = Duration.ofMillis(10);

    @TempDir Path work;
    private Path source;
    private Path cache;
    private LocalHubServer hub;

    @BeforeEach
    void startHub() throws IOException {
        source = StoriesModel.copyTo(work.resolve("repo"));
        cache = work.resolve("cache");
        hub = LocalHubServer.start().serve(REPO, source);
    }

    @AfterEach
    void stopHub() {
        hub.close();
    }

    @Test
    void pull_wholeModel_downloadsEveryFileByteForByteIntoTheHubCacheLayout() throws Exception {
        PulledRepository pulled = pull(settings(""), MAIN, List.of());

        Path repoFolder = cache.resolve("models--calibra-test--stories260K");
        assertEquals(COMMIT, pulled.commit());
        assertEquals(repoFolder.resolve("snapshots").resolve(COMMIT), pulled.folder());
        assertEquals(COMMIT, Files.readString(repoFolder.resolve("refs/main")));
        assertEquals(StoriesModel.FILES, pulled.files().stream().map(PulledFile::path).toList());
        for (PulledFile file : pulled.files()) {
            byte[] expected = Files.readAllBytes(source.resolve(file.path()));
            Path inSnapshot = pulled.folder().resolve(file.path());
            assertArrayEquals(expected, Files.readAllBytes(inSnapshot), file.path());
            assertEquals(expected.length, file.sizeBytes());
            assertEquals(sha256(expected), file.sha256());
            boolean lfs = expected.length > 1024;
            assertEquals(lfs ? sha256(expected) : LocalHubServer.gitBlobOid(expected), file.hubOid(), file.path());
            assertTrue(file.downloaded());
            assertEquals(0, file.resumedFromBytes());
            Path blob = repoFolder.resolve("blobs").resolve(file.hubOid());
            assertFalse(Files.isSymbolicLink(inSnapshot), "snapshot files are hard links, never symlinks");
            assertTrue(Files.isSameFile(blob, inSnapshot), file.path() + " is a hard link to its blob");
        }
        assertEquals(List.of(), incompleteFiles(), "no .incomplete file survives a finished pull");
    }

    @Test
    void pull_secondTime_isAllCacheHitsWithoutResolveRequests() throws Exception {
        PulledRepository first = pull(settings(""), MAIN, List.of());
        hub.clearRequests();

        PulledRepository second = pull(settings(""), MAIN, List.of());

        assertTrue(second.files().stream().noneMatch(PulledFile::downloaded), second.files().toString());
        assertEquals(first.files().stream().map(PulledFile::sha256).toList(), second.files().stream().map(PulledFile::sha256).toList());
        assertTrue(hub.requests().stream().noneMatch(r -> r.isResolve() || r.isCdn()), hub.requests().toString());
    }

    @Test
    void pull_cutConnection_resumesFromPartialFile() throws Exception {
        long cut = 300_000;
        hub.cutAfterBytes("model.safetensors", cut);

        PulledRepository pulled = pull(settings(""), MAIN, List.of());

        PulledFile model = file(pulled, "model.safetensors");
        assertEquals(cut, model.resumedFromBytes());
        assertArrayEquals(Files.readAllBytes(source.resolve("model.safetensors")), Files.readAllBytes(pulled.folder().resolve("model.safetensors")));
        List<String> ranges = hub.requests().stream()
                .filter(r -> r.isCdn() && r.path().endsWith(model.hubOid())).map(RecordedRequest::range).toList();
        assertEquals(Arrays.asList(null, "bytes=" + cut + "-"), ranges);
    }

    @Test
    void pull_partialFileFromAnEarlierRun_resumesWithARangeRequest() throws Exception {
        byte[] model = Files.readAllBytes(source.resolve("model.safetensors"));
        String sha = sha256(model);
        Path blobs = Files.createDirectories(cache.resolve("models--calibra-test--stories260K/blobs"));
        Files.write(blobs.resolve(sha + ".incomplete"), Arrays.copyOf(model, 123_456));

        PulledRepository pulled = pull(settings(""), MAIN, List.of("model.safetensors"));

        assertEquals(123_456, file(pulled, "model.safetensors").resumedFromBytes());
        assertTrue(file(pulled, "model.safetensors").downloaded());
        assertArrayEquals(model, Files.readAllBytes(pulled.folder().resolve("model.safetensors")));
        assertTrue(hub.requests().stream().anyMatch(r -> r.isCdn() && "bytes=123456-".equals(r.range())), hub.requests().toString());
    }

    @Test
    void pull_wrongPartialFile_isDiscardedAndDownloadedFromTheStart() throws Exception {
        byte[] model = Files.readAllBytes(source.resolve("model.safetensors"));
        Path blobs = Files.createDirectories(cache.resolve("models--calibra-test--stories260K/blobs"));
        Files.write(blobs.resolve(sha256(model) + ".incomplete"), new byte[50_000]);

        PulledRepository pulled = pull(settings(""), MAIN, List.of("model.safetensors"));

        assertEquals(0, file(pulled, "model.safetensors").resumedFromBytes());
        assertArrayEquals(model, Files.readAllBytes(pulled.folder().resolve("model.safetensors")));
    }

    @Test
    void pull_serverIgnoringRange_startsTheFileOver() throws Exception {
        hub.ignoreRanges();
        byte[] model = Files.readAllBytes(source.resolve("model.safetensors"));
        Path blobs = Files.createDirectories(cache.resolve("models--calibra-test--stories260K/blobs"));
        Files.write(blobs.resolve(sha256(model) + ".incomplete"), Arrays.copyOf(model, 200_000));

        PulledRepository pulled = pull(settings(""), MAIN, List.of("model.safetensors"));

        assertEquals(0, file(pulled, "model.safetensors").resumedFromBytes());
        assertArrayEquals(model, Files.readAllBytes(pulled.folder().resolve("model.safetensors")));
        assertTrue(hub.requests().stream().anyMatch(r -> r.isCdn() && "bytes=200000-".equals(r.range())), "it asked to resume");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"model.safetensors", "config.json"})
    void pull_hubEtagDisagreeingWithItsTree_isRefusedWithIntegrity(String path) throws IOException {
        hub.misreportEtag(path);
        HubException e = assertThrows(HubException.class, () -> pull(settings(""), MAIN, List.of(path)));
        assertEquals(Kind.INTEGRITY, e.kind());
        assertTrue(e.getMessage().contains("'" + path + "'") && e.getMessage().contains("ETag"), e.getMessage());
        assertEquals(List.of(), incompleteFiles(), "no byte is kept");
        assertFalse(Files.exists(cache.resolve("models--calibra-test--stories260K/snapshots").resolve(COMMIT).resolve(path)));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"model.safetensors", "config.json"})
    void pull_corruptedFile_isRefusedWithIntegrityNamingFileAndHashes(String path) throws Exception {
        hub.corrupt(path);
        byte[] original = Files.readAllBytes(source.resolve(path));
        String expectedId = original.length > 1024 ? sha256(original) : LocalHubServer.gitBlobOid(original);

        HubException e = assertThrows(HubException.class, () -> pull(settings(""), MAIN, List.of()));

        assertEquals(Kind.INTEGRITY, e.kind());
        assertTrue(e.getMessage().contains("'" + path + "'") && e.getMessage().contains("expected")
                && e.getMessage().contains(expectedId), e.getMessage());
        Path repoFolder = cache.resolve("models--calibra-test--stories260K");
        assertFalse(Files.exists(repoFolder.resolve("snapshots").resolve(COMMIT).resolve(path), LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(repoFolder.resolve("blobs").resolve(expectedId)));
        assertEquals(List.of(), incompleteFiles());
    }

    @Test
    void pull_withoutToken_isUnauthenticatedAndAsksForHfToken() {
        hub.requireToken("hf_right");
        HubException e = assertThrows(HubException.class, () -> pull(settings(""), MAIN, List.of()));
        assertEquals(Kind.UNAUTHENTICATED, e.kind());
        assertTrue(e.getMessage().contains("needs a valid HF_TOKEN") && e.getMessage().contains("401"), e.getMessage());
    }

    @Test
    void pull_wrongToken_isUnauthenticatedWithoutPrintingTheToken() {
        hub.requireToken("hf_right");
        HubException e = assertThrows(HubException.class, () -> pull(settings("hf_wrong"), MAIN, List.of()));
        assertEquals(Kind.UNAUTHENTICATED, e.kind());
        assertTrue(e.getMessage().contains("HF_TOKEN was refused"), e.getMessage());
        assertFalse(e.getMessage().contains("hf_wrong"), e.getMessage());
    }

    @Test
    void pull_rightToken_succeedsAndTheCdnNeverSeesIt() throws Exception {
        hub.requireToken("hf_right");

        PulledRepository pulled = pull(settings("hf_right"), MAIN, List.of());

        assertEquals(4, pulled.files().size());
        List<RecordedRequest> cdn = hub.requests().stream().filter(RecordedRequest::isCdn).toList();
        assertEquals(2, cdn.size(), "the two LFS files come from the CDN alias");
        assertTrue(cdn.stream().allMatch(r -> r.host().equals("localhost") && !r.authorization()), cdn.toString());
        assertTrue(hub.requests().stream().filter(r -> !r.isCdn()).allMatch(RecordedRequest::authorization));
    }

    @Test
    void pull_unknownRepository_isNotFoundNamingIt() {
        HubException e = assertThrows(HubException.class,
                () -> pull(settings(""), HubReference.of("calibra-test/nope", "main"), List.of()));
        assertEquals(Kind.NOT_FOUND, e.kind());
        assertTrue(e.getMessage().contains("repository calibra-test/nope was not found") && e.getMessage().contains("RepoNotFound"), e.getMessage());
    }

    @Test
    void pull_unknownRevision_isNotFoundNamingIt() {
        String unknown = "f".repeat(40);
        HubException e = assertThrows(HubException.class, () -> pull(settings(""), HubReference.of(REPO, unknown), List.of()));
        assertEquals(Kind.NOT_FOUND, e.kind());
        assertTrue(e.getMessage().contains("revision '" + unknown + "' was not found"), e.getMessage());
    }

    @Test
    void pull_fileMissingFromResolve_isNotFoundNamingTheFile() {
        hub.forget("tokenizer.json");
        HubException e = assertThrows(HubException.class, () -> pull(settings(""), MAIN, List.of()));
        assertEquals(Kind.NOT_FOUND, e.kind());
        assertTrue(e.getMessage().contains("file 'tokenizer.json' was not found") && e.getMessage().contains("EntryNotFound"), e.getMessage());
    }

    @Test
    void pull_gatedRepository_isPermissionDeniedSayingItIsGated() {
        hub.gated(REPO);
        HubException e = assertThrows(HubException.class, () -> pull(settings("hf_any"), MAIN, List.of()));
        assertEquals(Kind.PERMISSION_DENIED, e.kind());
        assertTrue(e.getMessage().contains("gated repository"), e.getMessage());
    }

    @Test
    void pull_includeGlobs_pullOnlyTheMatchingFiles() throws Exception {
        PulledRepository pulled = pull(settings(""), MAIN, List.of("*.json"));

        assertEquals(List.of("config.json", "tokenizer.json", "tokenizer_config.json"),
                pulled.files().stream().map(PulledFile::path).toList());
        assertFalse(Files.exists(pulled.folder().resolve("model.safetensors")));
        assertTrue(hub.requests().stream().noneMatch(r -> r.path().endsWith("model.safetensors")));
    }

    @Test
    void pull_includeGlobMatchingNothing_isInvalidArgumentNamingTheGlob() {
        HubException e = assertThrows(HubException.class, () -> pull(settings(""), MAIN, List.of("*.json", "*.gguf")));
        assertEquals(Kind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage().contains("'*.gguf'") && !e.getMessage().contains("'*.json'"), e.getMessage());
        assertTrue(hub.requests().stream().noneMatch(RecordedRequest::isResolve), "nothing is downloaded");
    }

    @Test
    void pull_nestedFolderAndSpaceInName_areEncodedInTheUrlAndPlacedInSubfolders() throws Exception {
        Files.createDirectories(source.resolve("docs/more"));
        Files.writeString(source.resolve("docs/read me.md"), "# notes\n");
        Files.writeString(source.resolve("docs/more/a+b.txt"), "x".repeat(2000));
        hub.serve(REPO, source);

        PulledRepository pulled = pull(settings(""), MAIN, List.of("docs/"));

        assertEquals(List.of("docs/more/a+b.txt", "docs/read me.md"), pulled.files().stream().map(PulledFile::path).toList());
        assertEquals("# notes\n", Files.readString(pulled.folder().resolve("docs/read me.md")));
        assertEquals("x".repeat(2000), Files.readString(pulled.folder().resolve("docs/more/a+b.txt")));
        assertTrue(hub.requests().stream().anyMatch(r -> r.path().endsWith("/resolve/" + COMMIT + "/docs/read%20me.md")), hub.requests().toString());
        assertTrue(hub.requests().stream().anyMatch(r -> r.path().endsWith("/docs/more/a%2Bb.txt")), hub.requests().toString());
    }

    @Test
    void pull_treeAcrossPages_listsEveryFile() throws Exception {
        hub.treePageSize(3);
        Files.createDirectories(source.resolve("extra"));
        Files.writeString(source.resolve("extra/one.txt"), "1");
        Files.writeString(source.resolve("extra/two.txt"), "2");
        hub.serve(REPO, source);

        PulledRepository pulled = pull(settings(""), MAIN, List.of());

        assertEquals(6, pulled.files().size());
        List<RecordedRequest> pages = hub.requests().stream().filter(RecordedRequest::isTree).toList();
        assertEquals(3, pages.size(), "7 entries (6 files, 1 folder) at 3 a page: " + pages);
        assertTrue(pages.get(2).query().contains("cursor=6"), pages.toString());
    }

    @Test
    void pull_offline_answersFromTheCacheWithoutTheNetwork() throws Exception {
        PulledRepository online = pull(settings(""), MAIN, List.of());
        hub.clearRequests();
        HubSettings offline = new HubSettings(hub.endpoint(), "", cache, true);

        PulledRepository byBranch = pull(offline, MAIN, List.of());
        PulledRepository byCommit = pull(offline, HubReference.of(REPO, COMMIT), List.of("*.json"));

        assertEquals(List.of(), hub.requests());
        assertEquals(online.folder(), byBranch.folder());
        assertEquals(online.files().stream().map(f -> f.path() + " " + f.sha256() + " " + f.hubOid()).toList(),
                byBranch.files().stream().map(f -> f.path() + " " + f.sha256() + " " + f.hubOid()).toList());
        assertTrue(byBranch.files().stream().noneMatch(PulledFile::downloaded));
        assertEquals(3, byCommit.files().size());
    }

    @Test
    void pull_offlineAndNotCached_isNotFoundSayingOfflineModeIsOn() {
        HubSettings offline = new HubSettings(hub.endpoint(), "", cache, true);
        HubException e = assertThrows(HubException.class, () -> pull(offline, MAIN, List.of()));
        assertEquals(Kind.NOT_FOUND, e.kind());
        assertTrue(e.getMessage().contains("not in the hub cache") && e.getMessage().contains("HF_HUB_OFFLINE"), e.getMessage());
        assertEquals(List.of(), hub.requests());
    }

    @Test
    void pull_cachedBlobChangedOnDisk_isDownloadedAgain() throws Exception {
        PulledRepository first = pull(settings(""), MAIN, List.of("config.json"));
        Path config = first.folder().resolve("config.json");
        config.toFile().setWritable(true);
        Files.writeString(config, "{\"edited\": true}");

        PulledRepository second = pull(settings(""), MAIN, List.of("config.json"));

        assertTrue(file(second, "config.json").downloaded());
        assertArrayEquals(Files.readAllBytes(source.resolve("config.json")), Files.readAllBytes(config));
    }

    @Test
    void pull_snapshotSymlinkFromHuggingFaceHub_isReplacedByAHardLink() throws Exception {
        PulledRepository first = pull(settings(""), MAIN, List.of("config.json"));
        Path config = first.folder().resolve("config.json");
        Path blob = first.folder().resolve("../../blobs").resolve(file(first, "config.json").hubOid()).normalize();
        Files.delete(config);
        Files.createSymbolicLink(config, config.getParent().relativize(blob));

        pull(settings(""), MAIN, List.of("config.json"));

        assertFalse(Files.isSymbolicLink(config));
        assertTrue(Files.isSameFile(blob, config));
    }

    @Test
    void pull_hubAnswers503Twice_succeedsOnTheThirdAttempt() throws Exception {
        hub.failNext(2, 503);
        assertEquals(4, pull(settings(""), MAIN, List.of()).files().size());
    }

    @Test
    void pull_hubAnswers503ThreeTimes_isUnavailableNamingTheEndpoint() {
        hub.failNext(3, 503);
        HubException e = assertThrows(HubException.class, () -> pull(settings(""), MAIN, List.of()));
        assertEquals(Kind.UNAVAILABLE, e.kind());
        assertTrue(e.getMessage().contains(hub.endpoint().toString()) && e.getMessage().contains("503"), e.getMessage());
    }

    @Test
    void pull_nothingListening_isUnavailableNamingTheEndpoint() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        URI nowhere = URI.create("http://127.0.0.1:" + port);
        HubException e = assertThrows(HubException.class,
                () -> pull(new HubSettings(nowhere, "", cache, false), MAIN, List.of()));
        assertEquals(Kind.UNAVAILABLE, e.kind());
        assertTrue(e.getMessage().contains(nowhere.toString()) && e.getMessage().contains("3 attempts"), e.getMessage());
    }

    @Test
    void pull_twoClientsAtOnce_downloadEachFileOnceAndBothSucceed() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<PulledRepository> results = new ArrayList<>();
        try {
            List<Future<PulledRepository>> pulls = List.of(
                    pool.submit(() -> pull(settings(""), MAIN, List.of())),
                    pool.submit(() -> pull(settings(""), MAIN, List.of())));
            for (Future<PulledRepository> pulled : pulls) {
                results.add(pulled.get());
            }
        } finally {
            pool.shutdownNow();
        }

        for (PulledRepository pulled : results) {
            for (String name : StoriesModel.FILES) {
                assertArrayEquals(Files.readAllBytes(source.resolve(name)), Files.readAllBytes(pulled.folder().resolve(name)), name);
            }
        }
        Map<String, Long> downloads = hub.requests().stream().filter(RecordedRequest::isResolve)
                .collect(Collectors.groupingBy(RecordedRequest::path, Collectors.counting()));
        assertEquals(4, downloads.size());
        assertTrue(downloads.values().stream().allMatch(n -> n == 1), "the blob lock lets one client download: " + downloads);
    }

    @Test
    void pull_listener_hearsStartProgressAndEachFileOnce() throws Exception {
        List<String> events = new ArrayList<>();
        long[] last = new long[2];
        DownloadListener listener = new DownloadListener() {
            @Override
            public void started(int files, long totalBytes) {
                events.add("started " + files + " " + totalBytes);
            }

            @Override
            public void progress(String path, long fileBytes, long fileTotalBytes, long allBytes, long allTotalBytes) {
                events.add("progress " + path);
                last[0] = allBytes;
                last[1] = allTotalBytes;
            }

            @Override
            public void fileDone(PulledFile file) {
                events.add("done " + file.path());
            }
        };
        long total = 0;
        for (String name : StoriesModel.FILES) {
            total += Files.size(source.resolve(name));
        }

        try (HubClient client = new HubClient(settings(""), QUICK_RETRY)) {
            client.pull(MAIN, List.of(), listener);
        }

        assertEquals("started 4 " + total, events.get(0));
        assertEquals(total, last[0]);
        assertEquals(total, last[1]);
        assertEquals(StoriesModel.FILES.stream().map(f -> "done " + f).toList(), events.stream().filter(e -> e.startsWith("done")).toList());
        long modelReports = events.stream().filter(e -> e.equals("progress model.safetensors")).count();
        long modelSize = Files.size(source.resolve("model.safetensors"));
        assertTrue(modelReports >= 2 && modelReports <= modelSize / ProgressTracker.STEP_BYTES + 2,
                "at most one report per 64 KiB: " + modelReports);
    }

    private HubSettings settings(String token) {
        return new HubSettings(hub.endpoint(), token, cache, false);
    }

    private static PulledRepository pull(HubSettings settings, HubReference reference, List<String> globs) throws HubException {
        try (HubClient client = new HubClient(settings, QUICK_RETRY)) {
            return client.pull(reference, globs, DownloadListener.NONE);
        }
    }

    private static PulledFile file(PulledRepository pulled, String path) {
        return pulled.files().stream().filter(f -> f.path().equals(path)).findFirst().orElseThrow();
    }

    private List<Path> incompleteFiles() throws IOException {
        if (!Files.isDirectory(cache)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(cache)) {
            return walk.filter(p -> p.getFileName().toString().endsWith(".incomplete")).toList();
        }
    }

    private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
