package dev.calibra.hub;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The hashes the hub names a file by, computed in one pass: sha256 of the bytes (an LFS object's id, and what
 * Calibra records for every file) and, when asked for, git's blob id, sha1 of {@code "blob <size>\0" + bytes}.
 */
final class BlobHashes {

    private static final int BUFFER_BYTES = 1 << 16;

    private final MessageDigest sha256 = digest("SHA-256");
    private final MessageDigest gitSha1;

    /** @param sizeBytes the size the bytes will have in total: git's header carries it before any byte */
    BlobHashes(long sizeBytes, boolean withGitOid) {
        gitSha1 = withGitOid ? digest("SHA-1") : null;
        if (gitSha1 != null) {
            gitSha1.update(("blob " + sizeBytes + "\0").getBytes(StandardCharsets.US_ASCII));
        }
    }

    void update(byte[] bytes, int offset, int length) {
        sha256.update(bytes, offset, length);
        if (gitSha1 != null) {
            gitSha1.update(bytes, offset, length);
        }
    }

    /** Feeds the first {@code length} bytes of a file. */
    void updateFrom(Path file, long length) throws IOException {
        byte[] buffer = new byte[BUFFER_BYTES];
        long left = length;
        try (InputStream in = Files.newInputStream(file)) {
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    throw new IOException(file + " ended after " + (length - left) + " of " + length + " bytes");
                }
                update(buffer, 0, n);
                left -= n;
            }
        }
    }

    /**
     * The hashes in hex; the git oid is null when it was not asked for.
     *
     * @param sha256 sha256 of the bytes
     * @param gitOid sha1 of git's blob header and the bytes, or null
     */
    record Hex(String sha256, String gitOid) {

        /** The hash the hub names this file by: sha256 for an LFS file, the git oid otherwise. */
        String idFor(RepoFile file) {
            return file.isLfs() ? sha256 : gitOid;
        }
    }

    /** Finishes hashing; call once. */
    Hex finish() {
        return new Hex(HexFormat.of().formatHex(sha256.digest()),
                gitSha1 == null ? null : HexFormat.of().formatHex(gitSha1.digest()));
    }

    /** The hashes of a whole file. */
    static Hex ofFile(Path file, boolean withGitOid) throws IOException {
        long size = Files.size(file);
        BlobHashes hashes = new BlobHashes(size, withGitOid);
        hashes.updateFrom(file, size);
        return hashes.finish();
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform must provide SHA-1 and SHA-256 (MessageDigest's contract).
            throw new IllegalStateException("this JVM has no " + algorithm, e);
        }
    }
}
