package dev.calibra.hub;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.calibra.hub.HubException.Kind;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The hub's JSON endpoints: {@code GET /api/models/{repo}/revision/{revision}} says which commit a revision is,
 * {@code GET /api/models/{repo}/tree/{commit}?recursive=true} lists its files, a page at a time, the next page's
 * URL in a {@code Link: <url>; rel="next"} header (GitHub's convention).
 */
final class HubApi {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern LINK = Pattern.compile("<([^>]*)>\\s*;([^,]*)");
    private static final Pattern REL_NEXT = Pattern.compile("rel\\s*=\\s*\"?next\"?");

    private final HubHttp http;
    private final HubErrors errors;
    private final Backoff backoff;
    private final HubReference reference;
    private final String repoApi;

    HubApi(HubHttp http, HubErrors errors, Backoff backoff, URI endpoint, HubReference reference) {
        this.http = http;
        this.errors = errors;
        this.backoff = backoff;
        this.reference = reference;
        this.repoApi = endpoint + "/api/models/" + reference.repoId();
    }

    /** The 40-hex commit the reference's revision points at. */
    String resolveCommit() throws HubException {
        URI uri = URI.create(repoApi + "/revision/" + RepoPaths.encodeSegment(reference.revision()));
        JsonNode info = getJson(uri).json();
        String sha = info.path("sha").asText("");
        if (!COMMIT.matcher(sha).matches()) {
            throw new HubException(Kind.INTEGRITY, "the hub's answer for " + reference.uri()
                    + " has no 40-hex commit 'sha' (got '" + sha + "') from " + uri);
        }
        return sha;
    }

    /** Every file of the commit (folders left out), in the order the hub lists them. */
    List<RepoFile> listFiles(String commit) throws HubException {
        List<RepoFile> files = new ArrayList<>();
        Set<URI> seen = new HashSet<>();
        URI page = URI.create(repoApi + "/tree/" + commit + "?recursive=true");
        while (page != null) {
            if (!seen.add(page)) {
                throw new HubException(Kind.INTEGRITY, "the hub's tree pagination came back to " + page);
            }
            Page answer = getJson(page);
            if (!answer.json().isArray()) {
                throw new HubException(Kind.INTEGRITY, "the hub's tree listing at " + page + " is not a JSON array");
            }
            for (JsonNode entry : answer.json()) {
                if ("file".equals(entry.path("type").asText())) {
                    files.add(toFile(entry, page));
                }
            }
            page = answer.next().orElse(null);
        }
        return files;
    }

    private record Page(JsonNode json, Optional<URI> next) {}

    private static RepoFile toFile(JsonNode entry, URI page) throws HubException {
        String path = entry.path("path").asText("");
        String oid = entry.path("oid").asText("");
        long size = entry.path("size").asLong(-1);
        JsonNode lfs = entry.path("lfs");
        String sha256 = lfs.isObject() ? lfs.path("oid").asText("") : null;
        if (lfs.isObject()) {
            size = lfs.path("size").asLong(size);
        }
        if (!RepoPaths.isSafe(path)) {
            throw new HubException(Kind.INTEGRITY, "the hub listed an unsafe path '" + path + "' at " + page);
        }
        if (!COMMIT.matcher(oid).matches() || size < 0 || (sha256 != null && !SHA256.matcher(sha256).matches())) {
            throw new HubException(Kind.INTEGRITY, "the hub listed '" + path + "' without a valid size, git oid"
                    + " or LFS sha256 (size " + size + ", oid '" + oid + "', lfs oid '" + sha256 + "') at " + page);
        }
        return new RepoFile(path, size, oid, sha256);
    }

    /** GETs JSON, retrying when the connection fails or the hub answers 429 or 5xx. */
    private Page getJson(URI uri) throws HubException {
        for (int attempt = 1; ; attempt++) {
            try (HubResponse response = http.get(uri, null)) {
                if (response.status() == 200) {
                    return new Page(JSON.readTree(response.body()), nextPage(response, uri));
                }
                if (!HubErrors.isTransient(response.status()) || attempt == Backoff.MAX_ATTEMPTS) {
                    throw errors.fromResponse(response, null, attempt);
                }
            } catch (JsonProcessingException e) {
                throw new HubException(Kind.INTEGRITY, "the hub's answer at " + uri + " is not valid JSON: "
                        + e.getOriginalMessage(), e);
            } catch (IOException e) {
                if (attempt == Backoff.MAX_ATTEMPTS || Thread.currentThread().isInterrupted()) {
                    throw errors.unreachable(uri.toString(), attempt, e);
                }
            }
            backoff.beforeRetry(attempt);
        }
    }

    private static Optional<URI> nextPage(HubResponse response, URI current) {
        for (String link : response.last().headers().allValues("Link")) {
            Matcher m = LINK.matcher(link);
            while (m.find()) {
                if (REL_NEXT.matcher(m.group(2)).find()) {
                    return Optional.of(current.resolve(m.group(1).strip()));
                }
            }
        }
        return Optional.empty();
    }
}
