package dev.calibra.hub;

import dev.calibra.hub.HubException.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One file from the hub into {@code blobs/<id>.incomplete}, verified. What an earlier cut left there is resumed
 * with {@code Range: bytes=N-} (206: append; 200: the server ignored the range, start over). A failed
 * connection or a 429/5xx is retried {@value Backoff#MAX_ATTEMPTS} times in all, each attempt resuming from what
 * the last one wrote. The bytes are hashed as they arrive and must have the size and hash of the hub's tree
 * listing, and the hub's own headers must agree with it too ({@link HubFileHeaders}).
 */
final class FileDownload {

    /** The verified file's sha256, and how many of its bytes were resumed rather than fetched in this pull. */
    record Result(String sha256, long resumedFromBytes) {}

    /** What one attempt fetched: where it started, and the hashes of everything from byte 0. */
    private record Fetched(long startedAt, BlobHashes hashes) {}

    /** An IOException of the network rather than of the disk: the one kind worth another attempt. */
    private static final class NetworkException extends IOException {
        NetworkException(String message, IOException cause) {
            super(message, cause);
        }
    }

    private static final int BUFFER_BYTES = 1 << 16;
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes\\s+(\\d+)-\\d+/(\\d+|\\*)");

    private final HubHttp http;
    private final HubErrors errors;
    private final Backoff backoff;
    private final HubReference reference;

    FileDownload(HubHttp http, HubErrors errors, Backoff backoff, HubReference reference) {
        this.http = http;
        this.errors = errors;
        this.backoff = backoff;
        this.reference = reference;
    }

    Result run(URI url, String commit, RepoFile file, Path incomplete, ProgressTracker progress)
            throws HubException, IOException {
        Files.createDirectories(incomplete.getParent());
        for (int attempt = 1; ; attempt++) {
            Fetched fetched;
            try {
                fetched = fetch(url, commit, file, incomplete, progress, attempt);
            } catch (NetworkException e) {
                // The connection failed or was cut: what arrived stays in .incomplete for the next attempt.
                if (attempt == Backoff.MAX_ATTEMPTS || Thread.currentThread().isInterrupted()) {
                    throw new HubException(Kind.UNAVAILABLE, "downloading '" + file.path() + "' of " + reference.uri()
                            + " from " + url.getHost() + " failed " + attempt + " times: " + e.getMessage()
                            + "; the " + lengthOf(incomplete) + " bytes received are kept in " + incomplete
                            + " and the next pull resumes from them", e);
                }
                fetched = null;
            }
            if (fetched != null) {
                BlobHashes.Hex hex = fetched.hashes().finish();
                String actual = hex.idFor(file);
                if (actual.equals(file.blobId())) {
                    return new Result(hex.sha256(), fetched.startedAt());
                }
                Files.delete(incomplete);
                // A resumed prefix may be what was wrong (left by a faulty run): try once more from byte 0.
                if (fetched.startedAt() == 0 || attempt == Backoff.MAX_ATTEMPTS) {
                    throw new HubException(Kind.INTEGRITY, "'" + file.path() + "' of " + reference.uri()
                            + " failed verification: expected " + file.hashName() + " " + file.blobId() + ", got "
                            + actual + " (" + file.sizeBytes() + " bytes from " + url + "); it was not written to the cache");
                }
            }
            backoff.beforeRetry(attempt);
        }
    }

    /** One attempt; null means a transient answer (429, 5xx, a range the server cannot serve): try again. */
    private Fetched fetch(URI url, String commit, RepoFile file, Path incomplete, ProgressTracker progress, int attempt)
            throws HubException, IOException {
        long have = lengthOf(incomplete);
        if (have > file.sizeBytes()) {
            Files.delete(incomplete);
            have = 0;
        }
        BlobHashes hashes = new BlobHashes(file.sizeBytes(), !file.isLfs());
        if (have == file.sizeBytes()) {
            // An earlier cut came after the last byte (or the file is empty): nothing left to fetch.
            Files.write(incomplete, new byte[0], StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            hashes.updateFrom(incomplete, have);
            return new Fetched(have, hashes);
        }
        try (HubResponse response = get(url, have)) {
            int status = response.status();
            if (status == 416 && have > 0) {
                Files.delete(incomplete);
                return null;
            }
            if (status != 200 && status != 206) {
                if (HubErrors.isTransient(status) && attempt < Backoff.MAX_ATTEMPTS) {
                    return null;
                }
                throw errors.fromResponse(response, file.path(), attempt);
            }
            HubFileHeaders.check(response, commit, file, reference);
            long start = status == 206 ? rangeStart(response) : 0;
            if (start != have && start != 0) {
                Files.delete(incomplete);
                return null;
            }
            if (start > 0) {
                hashes.updateFrom(incomplete, start);
            }
            long written = copy(response.body(), incomplete, start, file, hashes, progress);
            if (written < file.sizeBytes()) {
                throw new NetworkException("the body ended after " + written + " of " + file.sizeBytes() + " bytes", null);
            }
            return new Fetched(start, hashes);
        }
    }

    /** Streams the body to the file from {@code start} on, hashing it; returns the file's length after. */
    private long copy(InputStream body, Path incomplete, long start, RepoFile file, BlobHashes hashes,
            ProgressTracker progress) throws HubException, IOException {
        byte[] buffer = new byte[BUFFER_BYTES];
        long written = start;
        progress.bytes(file, written);
        try (FileChannel out = FileChannel.open(incomplete, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            out.truncate(start);
            out.position(start);
            for (int n; (n = read(body, buffer)) >= 0; ) {
                if (written + n > file.sizeBytes()) {
                    out.close();
                    Files.delete(incomplete);
                    throw new HubException(Kind.INTEGRITY, "'" + file.path() + "' of " + reference.uri()
                            + " is longer than the " + file.sizeBytes() + " bytes the hub lists; it was not written to the cache");
                }
                ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
                while (chunk.hasRemaining()) {
                    out.write(chunk);
                }
                hashes.update(buffer, 0, n);
                written += n;
                progress.bytes(file, written);
            }
        }
        return written;
    }

    private HubResponse get(URI url, long have) throws NetworkException {
        try {
            return http.get(url, have > 0 ? "bytes=" + have + "-" : null);
        } catch (IOException e) {
            throw new NetworkException(HubErrors.describe(e), e);
        }
    }

    private static int read(InputStream body, byte[] buffer) throws NetworkException {
        try {
            return body.read(buffer);
        } catch (IOException e) {
            throw new NetworkException(HubErrors.describe(e), e);
        }
    }

    private static long rangeStart(HubResponse response) throws NetworkException {
        String header = response.header("Content-Range").orElse("");
        Matcher m = CONTENT_RANGE.matcher(header.strip());
        if (!m.matches()) {
            throw new NetworkException("a 206 answer from " + response.uri() + " has no usable Content-Range ('" + header + "')", null);
        }
        return Long.parseLong(m.group(1));
    }

    private static long lengthOf(Path file) throws IOException {
        return Files.exists(file) ? Files.size(file) : 0;
    }
}
