package dev.calibra.hub;

import dev.calibra.hub.HubException.Kind;
import java.util.Locale;

/**
 * What the hub says about a file when it serves it, checked against its tree listing before any byte is kept:
 * {@code X-Repo-Commit} (the commit it resolved), {@code X-Linked-Etag} for an LFS file or {@code ETag} for a
 * git file (the blob id: sha256 or git sha1) and {@code X-Linked-Size}. They sit on the hub's own response (the
 * 302 to the CDN for LFS files); the CDN's ETag is its own business and is not read.
 */
final class HubFileHeaders {

    private HubFileHeaders() {}

    static void check(HubResponse response, String commit, RepoFile file, HubReference reference) throws HubException {
        String servedCommit = response.hubHeader("X-Repo-Commit").orElse(commit);
        String etag = response.hubHeader("X-Linked-Etag").or(() -> response.hubHeader("ETag"))
                .map(HubFileHeaders::normalizeEtag).orElse(null);
        String linkedSize = response.hubHeader("X-Linked-Size").map(String::strip).orElse(null);
        String problem = null;
        if (!servedCommit.equalsIgnoreCase(commit)) {
            problem = "it served commit " + servedCommit + " instead of " + commit;
        } else if (etag != null && !etag.equals(file.blobId())) {
            problem = "its ETag is " + etag + " but its tree listing says " + file.hashName() + " " + file.blobId();
        } else if (linkedSize != null && !linkedSize.equals(Long.toString(file.sizeBytes()))) {
            problem = "its X-Linked-Size is " + linkedSize + " but its tree listing says " + file.sizeBytes() + " bytes";
        }
        if (problem != null) {
            throw new HubException(Kind.INTEGRITY, "the hub's metadata for '" + file.path() + "' of " + reference.uri()
                    + " disagrees with itself: " + problem + " (" + response.uri() + ")");
        }
    }

    /** {@code W/"abc"} and {@code "abc"} are both {@code abc}, as huggingface_hub reads ETags. */
    static String normalizeEtag(String etag) {
        String value = etag.strip();
        if (value.startsWith("W/")) {
            value = value.substring(2);
        }
        return value.replace("\"", "").toLowerCase(Locale.ROOT);
    }
}
