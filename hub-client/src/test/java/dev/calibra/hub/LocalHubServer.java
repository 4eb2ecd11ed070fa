package dev.calibra.hub;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A Hugging Face Hub on 127.0.0.1 for tests, serving repositories from local folders under the hub's URLs:
 * <ul>
 *   <li>{@code GET /api/models/ORG/NAME/revision/REV}: {@code {"id", "sha", "siblings": [{"rfilename"}]}}; every
 *       branch or tag name maps to the repository's one fake commit ({@link #commitOf}), and so does the commit
 *       itself; any other 40-hex revision is 404 RevisionNotFound.</li>
 *   <li>{@code GET /api/models/ORG/NAME/tree/REV[/PATH][?recursive=true]}: folders and files, {@link #treePageSize}
 *       entries a page, the next page in {@code Link: <...&cursor=N>; rel="next"}.</li>
 *   <li>{@code GET /ORG/NAME/resolve/REV/PATH}: a file over {@link #lfsThresholdBytes} is "LFS": a 302 to
 *       {@code /cdn/<sha256>} under the alias host {@code localhost} (so a request that reaches it with a token
 *       shows in {@link #requests()}), with X-Linked-Etag and X-Linked-Size; a smaller one is served directly with
 *       its git blob sha1 as ETag. Both carry X-Repo-Commit and honour {@code Range: bytes=N-} with a 206.</li>
 * </ul>
 * Errors carry the hub's X-Error-Code (RepoNotFound, RevisionNotFound, EntryNotFound, GatedRepo) and
 * X-Error-Message. The options make it misbehave on purpose: a required token, gated repositories, a connection
 * cut mid-file, a corrupted file, a misreported ETag, ignored ranges, a file missing from resolve, failing answers. Shared with other modules' tests through hub-client's test jar.
 */
public final class LocalHubServer implements AutoCloseable {

    /**
     * A request as the server received it.
     *
     * @param host          the Host header's name: 127.0.0.1 for the hub, localhost for the CDN alias
     * @param path          the raw (still percent-encoded) path
     * @param range         the Range header, or null
     * @param authorization whether an Authorization header came with it
     */
    public record RecordedRequest(String method, String host, String path, String query, String range, boolean authorization) {

        public boolean isResolve() {
            return path.contains("/resolve/");
        }

        public boolean isCdn() {
            return path.startsWith("/cdn/");
        }

        public boolean isTree() {
            return path.startsWith("/api/models/") && path.contains("/tree/");
        }
    }

    private record ServedFile(Path source, String path, long size, String sha256, String gitOid, String pointerOid, int pointerSize) {}

    private record Repo(String repoId, String commit, List<ServedFile> files) {

        ServedFile file(String path) {
            return files.stream().filter(f -> f.path().equals(path)).findFirst().orElse(null);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d*)");

    private final HttpServer server;
    private final ExecutorService executor;
    private final Map<String, Repo> repos = new ConcurrentHashMap<>();
    private final Set<String> gated = ConcurrentHashMap.newKeySet();
    private final Map<String, Long> cuts = new ConcurrentHashMap<>();
    private final Set<String> corrupted = ConcurrentHashMap.newKeySet();
    private final Set<String> forgotten = ConcurrentHashMap.newKeySet();
    private final Set<String> misreported = ConcurrentHashMap.newKeySet();
    private volatile boolean ignoreRanges;
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private volatile int failureStatus = 503;
    private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
    private volatile String requiredToken;
    private volatile long lfsThresholdBytes = 1024;
    private volatile int treePageSize = 1000;

    private LocalHubServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        executor = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "local-hub");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
    }

    /** Starts a server with no repositories on an ephemeral port. */
    public static LocalHubServer start() throws IOException {
        LocalHubServer hub = new LocalHubServer();
        hub.server.start();
        return hub;
    }

    /** The hub's base URL, for HF_ENDPOINT: {@code http://127.0.0.1:PORT}. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Serves every regular file under {@code folder} (read now, hashed now) as repository {@code repoId}. */
    public LocalHubServer serve(String repoId, Path folder) throws IOException {
        List<ServedFile> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(folder)) {
            for (Path source : walk.filter(Files::isRegularFile).sorted().toList()) {
                files.add(describe(source, folder.relativize(source).toString().replace('\\', '/')));
            }
        }
        repos.put(repoId, new Repo(repoId, commitOf(repoId), List.copyOf(files)));
        return this;
    }

    /** The fake commit every revision name of the repository resolves to: sha1 of its id. */
    public static String commitOf(String repoId) {
        return sha1Hex(("local-hub commit of " + repoId).getBytes(StandardCharsets.UTF_8));
    }

    /** Files larger than this many bytes are LFS files (default 1024). */
    public LocalHubServer lfsThresholdBytes(long bytes) {
        lfsThresholdBytes = bytes;
        return this;
    }

    /** Tree entries per page (default 1000). */
    public LocalHubServer treePageSize(int entries) {
        treePageSize = entries;
        return this;
    }

    /** API and resolve requests without {@code Authorization: Bearer <token>} get 401. */
    public LocalHubServer requireToken(String token) {
        requiredToken = token;
        return this;
    }

    /** The repository answers 403 GatedRepo, as to a token that has not accepted its conditions. */
    public LocalHubServer gated(String repoId) {
        gated.add(repoId);
        return this;
    }

    /** The next GET of this file's bytes (from resolve or the CDN) closes the connection after {@code bytes}. */
    public LocalHubServer cutAfterBytes(String path, long bytes) {
        cuts.put(path, bytes);
        return this;
    }

    /** Serves this file with one byte flipped, under the original size and hashes. */
    public LocalHubServer corrupt(String path) {
        corrupted.add(path);
        return this;
    }

    /** Resolve answers 404 EntryNotFound for this path though the tree still lists it (a stale listing). */
    public LocalHubServer forget(String path) {
        forgotten.add(path);
        return this;
    }

    /** Resolve announces a wrong ETag (X-Linked-Etag for LFS) for this path, as a hub disagreeing with its tree. */
    public LocalHubServer misreportEtag(String path) {
        misreported.add(path);
        return this;
    }

    /** Range headers are ignored: every file is served whole with 200, as by a server without range support. */
    public LocalHubServer ignoreRanges() {
        ignoreRanges = true;
        return this;
    }

    /** The next {@code count} requests, whatever they ask, answer {@code status} (a 5xx or 429: an overloaded hub). */
    public LocalHubServer failNext(int count, int status) {
        failureStatus = status;
        failuresLeft.set(count);
        return this;
    }

    /** Every request so far, in arrival order. */
    public List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }

    public void clearRequests() {
        requests.clear();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) {
        try {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            String host = exchange.getRequestHeaders().getFirst("Host");
            requests.add(new RecordedRequest(exchange.getRequestMethod(),
                    host == null ? "" : host.replaceFirst(":\\d+$", ""),
                    exchange.getRequestURI().getRawPath(), exchange.getRequestURI().getRawQuery(),
                    exchange.getRequestHeaders().getFirst("Range"), auth != null));
            route(exchange);
        } catch (IOException e) {
            // The client went away mid-answer, or a cut closed the connection on purpose: nobody to tell.
        } finally {
            exchange.close();
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        String raw = exchange.getRequestURI().getRawPath();
        if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            error(exchange, failureStatus, null, "the local hub fails on purpose");
            return;
        }
        if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
            error(exchange, 405, null, "only GET and HEAD");
            return;
        }
        if (raw.startsWith("/cdn/")) {
            ServedFile file = repos.values().stream().flatMap(r -> r.files().stream())
                    .filter(f -> f.sha256().equals(raw.substring("/cdn/".length()))).findFirst().orElse(null);
            if (file == null) {
                error(exchange, 404, null, "no such object");
            } else {
                sendBytes(exchange, file);
            }
            return;
        }
        String[] parts = raw.substring(1).split("/", -1);
        if (parts.length >= 6 && parts[0].equals("api") && parts[1].equals("models")) {
            Repo repo = authorize(exchange, decode(parts[2]) + "/" + decode(parts[3]));
            String commit = repo == null ? null : resolveRevision(exchange, repo, decode(parts[5]));
            if (commit == null) {
                return;
            }
            switch (parts[4]) {
                case "revision" -> sendRevision(exchange, repo, commit);
                case "tree" -> sendTree(exchange, repo, parts);
                default -> error(exchange, 404, null, "no such API");
            }
        } else if (parts.length >= 5 && parts[2].equals("resolve")) {
            Repo repo = authorize(exchange, decode(parts[0]) + "/" + decode(parts[1]));
            String commit = repo == null ? null : resolveRevision(exchange, repo, decode(parts[3]));
            if (commit == null) {
                return;
            }
            String path = String.join("/", Arrays.stream(parts, 4, parts.length).map(LocalHubServer::decode).toList());
            exchange.getResponseHeaders().set("X-Repo-Commit", commit);
            ServedFile file = forgotten.contains(path) ? null : repo.file(path);
            if (file == null) {
                error(exchange, 404, "EntryNotFound", path + " does not exist on \"" + commit + "\"");
            } else {
                sendResolve(exchange, file);
            }
        } else {
            error(exchange, 404, null, "not a hub URL: " + raw);
        }
    }

    /** The repository if the request may see it; otherwise answers 401, 404 or 403 and returns null. */
    private Repo authorize(HttpExchange exchange, String repoId) throws IOException {
        String token = requiredToken;
        if (token != null && !("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            error(exchange, 401, null, "Invalid credentials in Authorization header");
            return null;
        }
        Repo repo = repos.get(repoId);
        if (repo == null) {
            error(exchange, 404, "RepoNotFound", "Repository not found");
            return null;
        }
        if (gated.contains(repoId)) {
            error(exchange, 403, "GatedRepo", "Access to model " + repoId + " is restricted and you are not in the"
                    + " authorized list. Visit the model page to ask for access.");
            return null;
        }
        return repo;
    }

    private String resolveRevision(HttpExchange exchange, Repo repo, String revision) throws IOException {
        if (COMMIT.matcher(revision).matches() && !revision.equals(repo.commit())) {
            error(exchange, 404, "RevisionNotFound", "Invalid rev id: " + revision);
            return null;
        }
        return repo.commit();
    }

    private void sendRevision(HttpExchange exchange, Repo repo, String commit) throws IOException {
        ObjectNode info = JSON.createObjectNode()
                .put("_id", commit.substring(0, 24))
                .put("id", repo.repoId())
                .put("modelId", repo.repoId())
                .put("sha", commit)
                .put("private", false)
                .put("gated", false);
        ArrayNode siblings = info.putArray("siblings");
        repo.files().forEach(f -> siblings.addObject().put("rfilename", f.path()));
        sendJson(exchange, 200, info.toString());
    }

    private void sendTree(HttpExchange exchange, Repo repo, String[] parts) throws IOException {
        String folder = String.join("/", Arrays.stream(parts, 6, parts.length).map(LocalHubServer::decode).toList());
        String query = exchange.getRequestURI().getRawQuery() == null ? "" : exchange.getRequestURI().getRawQuery();
        boolean recursive = query.matches("(.*&)?recursive=(true|True|1)(&.*)?");
        List<ObjectNode> entries = treeEntries(repo, folder, recursive);
        Matcher cursor = Pattern.compile("(?:^|&)cursor=(\\d+)").matcher(query);
        int from = cursor.find() ? Integer.parseInt(cursor.group(1)) : 0;
        int to = Math.min(entries.size(), from + treePageSize);
        if (to < entries.size()) {
            String base = endpoint() + exchange.getRequestURI().getRawPath();
            exchange.getResponseHeaders().set("Link", "<" + base + "?recursive=" + recursive + "&cursor=" + to + ">; rel=\"next\"");
        }
        ArrayNode page = JSON.createArrayNode();
        entries.subList(Math.min(from, to), to).forEach(page::add);
        sendJson(exchange, 200, page.toString());
    }

    /** Folders and files under {@code folder} ("" for the root), only its direct children unless recursive. */
    private List<ObjectNode> treeEntries(Repo repo, String folder, boolean recursive) {
        String prefix = folder.isEmpty() ? "" : folder + "/";
        Set<String> folders = new TreeSet<>();
        List<ObjectNode> entries = new ArrayList<>();
        for (ServedFile file : repo.files()) {
            if (!file.path().startsWith(prefix)) {
                continue;
            }
            String rest = file.path().substring(prefix.length());
            for (int slash = rest.indexOf('/'); slash >= 0; slash = recursive ? rest.indexOf('/', slash + 1) : -1) {
                folders.add(prefix + rest.substring(0, slash));
            }
            if (recursive || rest.indexOf('/') < 0) {
                entries.add(fileEntry(file));
            }
        }
        for (String path : folders) {
            entries.add(JSON.createObjectNode().put("type", "directory").put("oid", sha1Hex(("tree " + path).getBytes(StandardCharsets.UTF_8)))
                    .put("size", 0).put("path", path));
        }
        entries.sort((a, b) -> a.get("path").asText().compareTo(b.get("path").asText()));
        return entries;
    }

    private ObjectNode fileEntry(ServedFile file) {
        ObjectNode entry = JSON.createObjectNode().put("type", "file").put("size", file.size()).put("path", file.path());
        if (isLfs(file)) {
            // An LFS file's git blob is its pointer; the object's own id is the sha256.
            entry.put("oid", file.pointerOid());
            entry.putObject("lfs").put("oid", file.sha256()).put("size", file.size()).put("pointerSize", file.pointerSize());
        } else {
            entry.put("oid", file.gitOid());
        }
        return entry;
    }

    private void sendResolve(HttpExchange exchange, ServedFile file) throws IOException {
        boolean misreport = misreported.contains(file.path());
        if (isLfs(file)) {
            exchange.getResponseHeaders().set("X-Linked-Etag", "\"" + (misreport ? "0".repeat(64) : file.sha256()) + "\"");
            exchange.getResponseHeaders().set("X-Linked-Size", Long.toString(file.size()));
            exchange.getResponseHeaders().set("Location",
                    "http://localhost:" + server.getAddress().getPort() + "/cdn/" + file.sha256());
            exchange.sendResponseHeaders(302, -1);
        } else {
            exchange.getResponseHeaders().set("ETag", "\"" + (misreport ? "0".repeat(40) : file.gitOid()) + "\"");
            sendBytes(exchange, file);
        }
    }

    /** The file's bytes from the Range start (200 without one), flipped or cut when the test asked for it. */
    private void sendBytes(HttpExchange exchange, ServedFile file) throws IOException {
        long start = 0;
        int status = 200;
        String range = ignoreRanges ? null : exchange.getRequestHeaders().getFirst("Range");
        Matcher m = range == null ? null : RANGE.matcher(range.strip());
        if (m != null && m.matches()) {
            start = Long.parseLong(m.group(1));
            if (start >= file.size()) {
                exchange.getResponseHeaders().set("Content-Range", "bytes */" + file.size());
                exchange.sendResponseHeaders(416, -1);
                return;
            }
            status = 206;
            exchange.getResponseHeaders().set("Content-Range", "bytes " + start + "-" + (file.size() - 1) + "/" + file.size());
        }
        exchange.getResponseHeaders().set("Accept-Ranges", "bytes");
        exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
        long length = file.size() - start;
        if (exchange.getRequestMethod().equals("HEAD") || length == 0) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        Long cutAfter = cuts.remove(file.path());
        exchange.sendResponseHeaders(status, length);
        long flipAt = corrupted.contains(file.path()) ? file.size() / 2 : -1;
        OutputStream out = exchange.getResponseBody();
        byte[] buffer = new byte[1 << 16];
        long sent = 0;
        try (InputStream in = Files.newInputStream(file.source())) {
            in.skipNBytes(start);
            for (int n; (n = in.read(buffer)) > 0; ) {
                long offset = start + sent;
                if (flipAt >= offset && flipAt < offset + n) {
                    buffer[(int) (flipAt - offset)] ^= (byte) 0xff;
                }
                if (cutAfter != null && sent + n >= cutAfter) {
                    out.write(buffer, 0, (int) (cutAfter - sent));
                    out.flush();
                    // Closing with bytes still owed makes the server drop the connection: the client sees a cut.
                    return;
                }
                out.write(buffer, 0, n);
                sent += n;
            }
        }
    }

    private boolean isLfs(ServedFile file) {
        return file.size() > lfsThresholdBytes;
    }

    private static void error(HttpExchange exchange, int status, String code, String message) throws IOException {
        if (code != null) {
            exchange.getResponseHeaders().set("X-Error-Code", code);
        }
        exchange.getResponseHeaders().set("X-Error-Message", message);
        sendJson(exchange, status, JSON.createObjectNode().put("error", message).toString());
    }

    private static void sendJson(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    private static ServedFile describe(Path source, String path) throws IOException {
        byte[] bytes = Files.readAllBytes(source);
        String sha256 = HexFormat.of().formatHex(digest("SHA-256").digest(bytes));
        byte[] pointer = ("version https://git-lfs.github.com/spec/v1\noid sha256:" + sha256 + "\nsize " + bytes.length + "\n")
                .getBytes(StandardCharsets.UTF_8);
        return new ServedFile(source, path, bytes.length, sha256, gitBlobOid(bytes), gitBlobOid(pointer), pointer.length);
    }

    /** git's blob id: sha1 of {@code "blob <size>\0"} and the bytes. */
    static String gitBlobOid(byte[] bytes) {
        ByteArrayOutputStream blob = new ByteArrayOutputStream();
        blob.writeBytes(("blob " + bytes.length + "\0").getBytes(StandardCharsets.US_ASCII));
        blob.writeBytes(bytes);
        return sha1Hex(blob.toByteArray());
    }

    private static String sha1Hex(byte[] bytes) {
        return HexFormat.of().formatHex(digest("SHA-1").digest(bytes));
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no " + algorithm, e);
        }
    }

    /** Percent-decoding of one path segment ('+' stays '+', unlike URLDecoder's form decoding). */
    private static String decode(String segment) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '%' && i + 2 < segment.length()) {
                bytes.write(Integer.parseInt(segment.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
